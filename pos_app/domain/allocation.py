"""How a settlement is spread over the charges it pays: the named ones first, then the
oldest; never more on a charge than is open on it."""

from __future__ import annotations

from collections.abc import Sequence


def allocate(
    amount_minor: int, charges: Sequence[tuple[int, int]], first: frozenset[int] = frozenset()
) -> tuple[tuple[int, int], ...]:
    """(charge id, amount) pairs paying `amount_minor` of `charges` ((id, open), oldest
    first); the charges in `first` (a claim batch's) are paid before the others. What is
    left once every charge is paid stays unallocated (the account's balance covers it)."""
    ordered = [c for c in charges if c[0] in first] + [c for c in charges if c[0] not in first]
    left, paid = amount_minor, []
    for charge_id, open_minor in ordered:
        if left <= 0:
            break
        part = min(left, open_minor)
        if part > 0:
            paid.append((charge_id, part))
            left -= part
    return tuple(paid)


BUCKETS = ("days_0_30", "days_31_60", "days_61_90", "over_90")


def bucket(age_days: int) -> str:
    """The ageing bucket of a charge `age_days` old (0–30, 31–60, 61–90, > 90 days)."""
    if age_days <= 30:
        return BUCKETS[0]
    if age_days <= 60:
        return BUCKETS[1]
    return BUCKETS[2] if age_days <= 90 else BUCKETS[3]
