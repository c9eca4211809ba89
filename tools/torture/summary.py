"""What a run did and found, as printed at its end and saved as `summary.json`."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from tools.torture.oplog import Operation, is_final


def outcome_of(op: Operation) -> str:
    """An operation's final outcome; `killed` or `gave up: <last>` when it has none."""
    if op.finished:
        return op.last or ""
    return "gave up: " + op.last if op.last else "killed"


def by_kind(ops: list[Operation]) -> dict[str, dict[str, int]]:
    """{"kind (mode)": {final outcome: operations}}."""
    counts: dict[str, Counter[str]] = {}
    for op in ops:
        counts.setdefault(f"{op.kind} ({op.mode})", Counter())[outcome_of(op)] += 1
    return {kind: dict(c.most_common()) for kind, c in sorted(counts.items())}


def killed_and_retried(ops: list[Operation]) -> dict[str, int]:
    """Operations whose worker died inside an attempt and which a restart then settled:
    `replayed` means the killed attempt had committed and its key gave the result back."""
    counts: Counter[str] = Counter()
    for op in ops:
        if op.finished and op.attempts > len(op.outcomes):
            counts[
                "replayed (had committed)"
                if op.last == "replayed" and op.mode == "new"
                else "completed or refused"
            ] += 1
    return dict(counts)


def retried_outcomes(ops: list[Operation]) -> dict[str, int]:
    """How often an attempt was answered busy, unavailable, in doubt (or a bug) and retried."""
    counts = Counter(o for op in ops for o in op.outcomes if not is_final(o))
    return dict(counts.most_common())


@dataclass
class Summary:
    workers: int
    seconds: float
    operations: int
    attempts: int
    by_kind: dict[str, dict[str, int]]
    faults: dict[str, int]
    killed_and_retried: dict[str, int]
    retried: dict[str, int]
    in_doubt: dict[str, int]
    figures: dict[str, int | str]
    check_findings: int
    deadlocks: int | None
    violations: list[str] = field(default_factory=list)
    server: str = ""

    def to_json(self) -> dict:
        return asdict(self)

    def text(self) -> str:
        rate = self.operations / self.seconds if self.seconds else 0.0
        lines = [
            f"CareTill torture run: {self.workers} workers, {self.operations:,} operations "
            f"({self.attempts:,} attempts) in {self.seconds:.1f} s ({rate:.0f}/s); "
            f"{self.server}",
            "operations by kind and outcome:",
        ]
        for kind, outcomes in self.by_kind.items():
            lines.append(f"  {kind:<24} " + ", ".join(f"{o} {n}" for o, n in outcomes.items()))
        lines.append("faults injected: " + ", ".join(f"{k} {v}" for k, v in self.faults.items()))
        lines.append(
            "attempts answered and retried with the same key: "
            + (", ".join(f"{k} {v}" for k, v in self.retried.items()) or "none")
        )
        lines.append(
            "operations killed mid-way and retried with their key: "
            + (", ".join(f"{k} {v}" for k, v in self.killed_and_retried.items()) or "none")
        )
        lines.append(
            "keys left in doubt (never answered): "
            + (", ".join(f"{k} {v}" for k, v in self.in_doubt.items()) or "none")
        )
        lines.append(
            "figures (count / minor units): "
            + "; ".join(f"{k} {v}" for k, v in self.figures.items())
        )
        lines.append(
            f"caretill check: {self.check_findings} findings; deadlocks in the server "
            f"log: {'not checked' if self.deadlocks is None else self.deadlocks}"
        )
        if self.violations:
            lines.append(f"VIOLATIONS ({len(self.violations)}):")
            lines += [f"  - {v}" for v in self.violations[:50]]
        else:
            lines.append("violations: none")
        return "\n".join(lines)
