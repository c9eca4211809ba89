"""Which receipt printer this workstation has, read from the local configuration file.

    {"printer": {"kind": "network", "address": "192.168.1.50:9100", "width": 80,
                 "cut": true, "open_drawer_on_cash": true}}

A shared file may instead hold {"printers": {"WS01": {...}, "WS02": {...}}}.
Kinds: none, network (host[:port]), usb (vendor:product in hex), serial
(device[@baud]), file (a device node or plain file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pos_app.domain.errors import BadInput

KINDS = ("none", "network", "usb", "serial", "file")
QR_MODES = ("native", "image")


@dataclass(frozen=True)
class PrinterConfig:
    """One workstation's thermal printer; `columns` follows from the paper width."""

    kind: str = "none"
    address: str = ""
    width: int = 80
    cut: bool = True
    open_drawer_on_cash: bool = False
    code_page: str = "CP437"
    qr: str = "native"
    timeout_s: float = 5.0
    check_paper: bool = True

    @property
    def columns(self) -> int:
        return 32 if self.width == 58 else 48


def printer_config(local: Mapping[str, Any], workstation: str | None = None) -> PrinterConfig:
    """The printer settings for `workstation`; none configured means kind "none"."""
    per_station = local.get("printers")
    raw = per_station.get(workstation) if isinstance(per_station, Mapping) else None
    raw = raw if raw is not None else local.get("printer", {})
    if not isinstance(raw, Mapping):
        raise _bad("the printer settings must be a JSON object")
    config = PrinterConfig(
        kind=str(raw.get("kind", "none")),
        address=str(raw.get("address", "")).strip(),
        width=int(_number(raw.get("width", 80), "width")),
        cut=bool(raw.get("cut", True)),
        open_drawer_on_cash=bool(raw.get("open_drawer_on_cash", False)),
        code_page=str(raw.get("code_page", "CP437")).upper(),
        qr=str(raw.get("qr", "native")),
        timeout_s=_number(raw.get("timeout_s", 5), "timeout_s"),
        check_paper=bool(raw.get("check_paper", True)),
    )
    _check(config)
    return config


def _check(config: PrinterConfig) -> None:
    if config.kind not in KINDS:
        raise _bad(f"printer kind {config.kind!r} is not one of {', '.join(KINDS)}")
    if config.width not in (58, 80):
        raise _bad(f"paper width {config.width} mm is not 58 or 80")
    if config.qr not in QR_MODES:
        raise _bad(f"qr {config.qr!r} is not native or image")
    if config.kind != "none" and not config.address:
        raise _bad(f"a {config.kind} printer needs an address")


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f"{name} must be a number, not {value!r}")
    return float(value)


def _bad(detail: str) -> BadInput:
    return BadInput(f"Receipt printer configuration: {detail}.", code="invalid_printer_config")
