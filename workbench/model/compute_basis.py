"""A constellation's total compute and its basis: published total, typical or peak.

Pure domain logic (no propagation), shared by the capacity, economics and other wings.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .constellation import Constellation
from .hardware import ComputePayload

Basis = Literal["published total", "sum of typical", "sum of peaks"]
BASES: tuple[Basis, ...] = ("published total", "sum of typical", "sum of peaks")


@dataclass(frozen=True)
class ComputeBasis:
    """The constellation's total compute and where it comes from.

    ``basis`` is ``"published total"`` (the operator's figure, :attr:`Constellation.
    published_compute`), ``"sum of typical"`` (satellites × the payload's typical TOPS) or
    ``"sum of peaks"`` (satellites × peak TOPS, when nothing better is known);
    ``tops_per_sat`` is what each satellite delivers at full power on that basis (the
    published total shared equally). ``note`` says why a published total was not used.
    """

    total_tops: float
    tops_per_sat: float
    basis: Basis
    source: str = ""
    note: str = ""


def compute_basis(payload: ComputePayload, constellation: Constellation) -> ComputeBasis:
    """The best-founded total compute of ``constellation`` carrying ``payload``.

    A published total wins while it applies (the same number of satellites and, if it
    names one, the same payload chip); else the payload's typical TOPS where its catalog row
    has them; else the peak. Multiplying the best satellite's peak by the number of
    satellites overstates constellations whose satellites differ: the Three-Body Computing
    Constellation's 12 satellites are published at up to 744 TOPS each and 5 POPS together,
    not 12 × 744 = 8.9 POPS.

    >>> from workbench import datasets
    >>> from workbench.model import ComputePayload
    >>> payload = ComputePayload(chip=datasets.chip("three-body-payload"))
    >>> b = compute_basis(payload, datasets.constellation("three-body"))
    >>> b.basis, b.total_tops, round(b.tops_per_sat, 1)
    ('published total', 5000.0, 416.7)
    """
    n = len(constellation)
    published = constellation.published_compute
    note = ""
    if published is not None:
        reason = published.applies_to(n, payload.chip.name)
        if reason is None:
            return ComputeBasis(published.int8_tops_total, published.int8_tops_total / n,
                                "published total", published.source)
        note = (f"the published total of {published.int8_tops_total:,.0f} TOPS is not used: "
                f"{reason}")
    if payload.chip.typical_int8_tops is not None:
        per_sat = payload.rated_int8_tops
        return ComputeBasis(per_sat * n, per_sat, "sum of typical", payload.chip.source, note)
    return ComputeBasis(payload.int8_tops * n, payload.int8_tops, "sum of peaks",
                        payload.chip.source, note)



__all__ = ["BASES", "Basis", "ComputeBasis", "compute_basis"]
