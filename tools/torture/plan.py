"""The run's plan: what the harness seeded and tells each worker process, as one JSON file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

PASSWORD = "torture-password"
CURRENCY = ("KES", 2)
# code: (kind, price in minor units, stock code or lab test code)
CATALOG = {
    "CONS": ("consultation", 100_000, None),
    "LAB": ("lab_test", 50_000, "FBC"),
    "DRUG": ("pharmacy", 10_000, "AMOX"),
    "DRUG2": ("pharmacy", 5_000, "PCM"),  # scarce: some sales are refused for stock
    "PROC": ("procedure", 250_000, None),
    "MISC": ("other", 10, None),
}
STOCK = {"AMOX": 1_000_000, "PCM": 60}
HARNESS_WORKSTATION = "TT00"
AUDITOR = "tauditor"


@dataclass(frozen=True)
class Station:
    """One worker's workstation id and the two people who use it."""

    workstation: str
    cashier: str
    supervisor: str


@dataclass
class Plan:
    app_url: str  # the application role, as a till connects
    admin_url: str  # a superuser on the same database: verification and faults
    tills: list[Station]
    patients: list[str]
    services: dict[str, int]  # code -> service id
    prices: dict[str, int]  # code -> unit price, minor units
    operations_per_worker: int
    seed: int
    lock_wait_s: float
    out_dir: str
    stock: dict[str, int] = field(default_factory=lambda: dict(STOCK))

    def station(self, workstation: str) -> Station:
        return next(t for t in self.tills if t.workstation == workstation)

    @property
    def path(self) -> Path:
        return Path(self.out_dir) / "plan.json"

    def log_path(self, workstation: str) -> Path:
        return Path(self.out_dir) / "logs" / f"{workstation}.jsonl"

    @property
    def rendezvous(self) -> Path:
        """Where a worker offers a key for another worker to send at the same moment."""
        return Path(self.out_dir) / "rendezvous"

    @property
    def stop_file(self) -> Path:
        return Path(self.out_dir) / "stop"

    def save(self) -> Path:
        self.path.write_text(json.dumps(asdict(self), indent=1))
        return self.path

    @classmethod
    def load(cls, path: Path) -> Plan:
        data = json.loads(path.read_text())
        data["tills"] = [Station(**t) for t in data["tills"]]
        return cls(**data)
