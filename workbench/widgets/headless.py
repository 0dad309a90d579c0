"""Drive the globe in headless Chromium: browser tests, the fps benchmark, screenshots.

Uses the system Chromium (Debian ``chromium``) through Playwright's Python API, never a
downloaded browser, with WebGL2 on SwiftShader (software rendering).
"""
from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np

SWIFTSHADER_ARGS = (
    "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--mute-audio", "--disable-dev-shm-usage",
)
"""Chromium flags for WebGL2 on SwiftShader (never ``--use-gl=swiftshader``)."""


def find_chromium() -> str | None:
    """Path of the system Chromium (``$WORKBENCH_CHROMIUM``, /usr/bin/chromium, PATH)."""
    for candidate in (os.environ.get("WORKBENCH_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def launch(playwright, *, executable: str | None = None):  # noqa: ANN001, ANN201
    """Launch headless Chromium with the SwiftShader flags (a Playwright ``Browser``)."""
    path = executable or find_chromium()
    if path is None:
        raise RuntimeError("no chromium found: apt-get install -y chromium (Debian)")
    return playwright.chromium.launch(executable_path=path, args=list(SWIFTSHADER_ARGS))


def decode_png(data: bytes) -> np.ndarray:
    """Pixels of an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes) as
    uint8 (height, width, channels)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("data: not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    if header is None:
        raise ValueError("data: PNG without IHDR")
    width, height, depth, colour, _, _, interlace = header
    channels = {2: 3, 6: 4, 0: 1, 4: 2}[colour]
    if depth != 8 or interlace:
        raise ValueError(f"PNG depth={depth}, interlace={interlace}: only 8-bit, non-interlaced")
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = width * channels
    rows = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 1:
            cur = line.reshape(width, channels).cumsum(axis=0).reshape(-1) & 0xFF
        elif kind == 2:
            cur = (line + prev) & 0xFF
        else:
            cur = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                left = cur[x - channels] if x >= channels else 0
                up = prev[x]
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + up) >> 1
                else:
                    up_left = prev[x - channels] if x >= channels else 0
                    p = left + up - up_left
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                    pred = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
                cur[x] = (line[x] + pred) & 0xFF
        out[y] = cur
        prev = cur
    return out.astype(np.uint8).reshape(height, width, channels)


def image_stats(pixels: np.ndarray) -> dict[str, float]:
    """Blank-screen checks of an image: number of distinct colours, the RGB standard
    deviation, and the share of pixels that differ from the most common colour."""
    rgb = pixels[..., :3].reshape(-1, 3).astype(np.int64)
    codes = rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]
    values, counts = np.unique(codes, return_counts=True)
    return {"n_colours": float(len(values)), "std": float(rgb.std()),
            "non_background_frac": float(1.0 - counts.max() / counts.sum())}


__all__ = ["SWIFTSHADER_ARGS", "decode_png", "find_chromium", "image_stats", "launch"]
