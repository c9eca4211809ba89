"""How a payer's scheme splits what is due on each item (SPEC rule 13).

Per item, by the cover for its service kind: the payer takes its percent of the due
(rounded half up to the minor unit); the co-pay is then moved to the patient (per
item, or per visit: once, from the first covered items of that kind); the cap per
visit limits what the payer takes for that kind in one payment, the excess going to
the patient. Neither share is ever negative and the two always add up to the due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pos_app.domain.errors import Refused

FULL_BP = 10_000  # 100 % in basis points


@dataclass(frozen=True)
class Cover:
    percent_bp: int
    copay_minor: int = 0
    copay_per: str = "visit"  # or "item"
    cap_minor: int | None = None


@dataclass(frozen=True)
class Due:
    item_id: int
    service_kind: str
    due_minor: int


@dataclass(frozen=True)
class Share:
    item_id: int
    due_minor: int
    payer_minor: int

    @property
    def patient_minor(self) -> int:
        return self.due_minor - self.payer_minor


def require_covered(kinds: Iterable[str], covers: Mapping[str, Cover], payer: str) -> None:
    """`not_covered` when some item's service kind has no cover in the payer's scheme."""
    missing = sorted({kind for kind in kinds if kind not in covers})
    if missing:
        raise Refused(f"{payer} does not cover {', '.join(missing)} items.", code="not_covered")


def split(items: Iterable[Due], covers: Mapping[str, Cover]) -> list[Share]:
    """Each item's payer share, in the order given (the visit co-pay comes off the first)."""
    copay_left = {kind: c.copay_minor for kind, c in covers.items() if c.copay_per == "visit"}
    cap_left = {kind: c.cap_minor for kind, c in covers.items() if c.cap_minor is not None}
    shares = []
    for item in items:
        cover = covers[item.service_kind]
        due = max(item.due_minor, 0)
        payer = min((due * cover.percent_bp + FULL_BP // 2) // FULL_BP, due)
        if cover.copay_per == "item":
            payer -= min(cover.copay_minor, payer)
        else:
            taken = min(copay_left[item.service_kind], payer)
            copay_left[item.service_kind] -= taken
            payer -= taken
        if item.service_kind in cap_left:
            payer = min(payer, cap_left[item.service_kind])
            cap_left[item.service_kind] -= payer
        shares.append(Share(item.item_id, item.due_minor, payer))
    return shares
