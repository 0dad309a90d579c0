"""Imaging optics: a frame or push-broom sensor, and what it sees from an altitude.

The ground sample distance of a nadir-pointing camera follows from similar triangles,
GSD = pixel pitch × altitude / focal length; the swath and the frame length are that GSD
times the pixels across and along track (Wertz & Larson, *Space Mission Analysis and
Design*, 3rd ed., §9.3; the same relation sets the ground-track frame length in Denby &
Lucia's OEC artifact, ``artifacts/sim-fs/source/frame-spaced.cpp``: pixel count × pixel
size / focal length × altitude).

Approximation, stated: nadir view over a flat Earth. ``pixels across × nadir GSD`` is
2·h·tan θ for a field of view of half-angle θ; on a sphere of radius R⊕ the same field
covers 2·R⊕·(asin((R⊕ + h)/R⊕ · sin θ) − θ), a little more: at 500 km the flat swath is short
by 0.002 % at ±1.15° (20 km), 0.13 % at ±10° and 0.54 % at ±20°. Off-nadir pointing and
terrain height are not modelled.
"""
from __future__ import annotations

import numpy as np

from .base import Model
from .fields import quantity

BITS_PER_BYTE = 8


class Sensor(Model):
    """A nadir-pointing imager: its optics and detector, not its orbit.

    >>> s = Sensor(pixel_pitch_um=1.1, focal_length_mm=200.0, pixels_across=4096)
    >>> round(float(s.gsd_m(400.0)), 3), round(float(s.swath_km(400.0)), 4)
    (2.2, 9.0112)
    """

    pixel_pitch_um: float = quantity(unit="µm", gt=0.0, le=1000.0, step=0.1,
                                     label="Pixel pitch",
                                     description="Centre-to-centre spacing of the detector's "
                                                 "pixels")
    focal_length_mm: float = quantity(unit="mm", gt=0.0, le=100000.0, step=1.0,
                                      label="Focal length",
                                      description="Effective focal length of the optics")
    pixels_across: int = quantity(ge=1, le=1_000_000, label="Pixels across track",
                                  description="Detector pixels across the ground track (the "
                                              "swath)")
    along_track_px: int | None = quantity(
        None, ge=1, le=1_000_000, label="Pixels along track",
        description="Rows of one frame along the ground track; empty: a square frame "
                    "(as many as across)")
    bands: int = quantity(1, ge=1, le=1000, label="Spectral bands",
                          description="Spectral bands")
    bit_depth: int = quantity(12, ge=1, le=32, label="Bit depth",
                              description="Bits per sample")

    @property
    def frame_rows(self) -> int:
        """Pixels of one frame along track (``along_track_px``, else ``pixels_across``)."""
        return self.along_track_px if self.along_track_px is not None else self.pixels_across

    @property
    def frame_bits(self) -> int:
        """Bits of one raw frame: pixels across × rows × bands × bit depth."""
        return self.pixels_across * self.frame_rows * self.bands * self.bit_depth

    def gsd_m(self, altitude_km: float | np.ndarray) -> np.ndarray:
        """Ground sample distance at nadir, m: pitch (µm) × altitude (km) / focal length (mm)
        (the µm·km/mm units give metres)."""
        return self.pixel_pitch_um * np.asarray(altitude_km, dtype=float) / self.focal_length_mm

    def swath_km(self, altitude_km: float | np.ndarray) -> np.ndarray:
        """Imaged width across track, km: GSD × pixels across (flat Earth, nadir)."""
        return self.gsd_m(altitude_km) * self.pixels_across / 1000.0

    def frame_length_km(self, altitude_km: float | np.ndarray) -> np.ndarray:
        """Ground length of one frame along track, km: GSD × rows of a frame."""
        return self.gsd_m(altitude_km) * self.frame_rows / 1000.0


__all__ = ["Sensor"]
