"""Transfers over the ISLs and the downlink: node sequences, shared bandwidth, delays.

A transfer of ``size_mb`` along nodes n₀ → n₁ → … takes, per hop, the light time of the
link plus size / rate × the transmitter's share factor, where the share factor
max(1, load / capacity) spreads one step's traffic of a terminal over its bandwidth
(every transfer through a terminal in a step is slowed alike).
"""
from __future__ import annotations

import numpy as np

from ...model.constants import C_KM_PER_S
from .fabric import NO_SAT

MB_TO_GBIT = 8e-3


def hop_arrays(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(transmitter, receiver, is_hop) per hop of padded node sequences (J, L): a hop
    exists where consecutive nodes differ and both are satellites."""
    a, b = nodes[:, :-1], nodes[:, 1:]
    is_hop = (a != b) & (a != NO_SAT) & (b != NO_SAT)
    return np.where(is_hop, a, 0), np.where(is_hop, b, 0), is_hop


def isl_load_mb(nodes: np.ndarray, size_mb: np.ndarray, n_sats: int) -> np.ndarray:
    """MB each satellite transmits for these transfers (forwarding included)."""
    tx, _, is_hop = hop_arrays(nodes)
    weights = np.where(is_hop, size_mb[:, None], 0.0)
    return np.bincount(tx.ravel(), weights=weights.ravel(), minlength=n_sats)


def share_factor(load_mb: np.ndarray, rate_gbps: float, step_s: float) -> np.ndarray:
    """max(1, load / (rate × step)) per terminal (inf where the rate is 0 and load > 0)."""
    capacity_gbit = rate_gbps * step_s
    load = load_mb * MB_TO_GBIT
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(load > 0, load / capacity_gbit, 0.0)
    return np.maximum(1.0, ratio)


def route_delay_s(nodes: np.ndarray, size_mb: np.ndarray, r_km: np.ndarray,
                  share: np.ndarray, rate_gbps: float) -> np.ndarray:
    """Delay of each transfer (J,) along its nodes (J, L) at one step: light time of every
    hop plus size / rate × the transmitter's share factor, s."""
    tx, rx, is_hop = hop_arrays(nodes)
    if not is_hop.size:
        return np.zeros(nodes.shape[0])
    light = np.linalg.norm(r_km[tx] - r_km[rx], axis=-1) / C_KM_PER_S
    with np.errstate(divide="ignore", invalid="ignore"):
        send = np.where(is_hop, size_mb[:, None] * MB_TO_GBIT / rate_gbps * share[tx], 0.0)
    return np.where(is_hop, light + send, 0.0).sum(axis=1)


def n_hops(nodes: np.ndarray) -> np.ndarray:
    """Hops of each node sequence."""
    return hop_arrays(nodes)[2].sum(axis=1)


__all__ = ["MB_TO_GBIT", "hop_arrays", "isl_load_mb", "n_hops", "route_delay_s",
           "share_factor"]
