"""The receipt for ESC/POS thermal printers (58 and 80 mm) through python-escpos.

The same template as the screen, its characters kept where the printer's code
page has them and folded to plain letters where it does not ("Wanjirũ" ->
"Wanjiru"), then the QR code, the cut and, on cash payments, the drawer kick.
"""

from __future__ import annotations

import codecs
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

# escpos.escpos loads the printers' capability database (0.2 s): only when printing,
# never on the way to the login dialog.
from escpos.exceptions import Error as EscposError

from pos_app.domain.errors import BadInput, Unavailable
from pos_app.domain.text import strip_controls
from pos_app.receipts.model import Receipt, qr_payload
from pos_app.receipts.printer_config import PrinterConfig
from pos_app.receipts.text import render_text
from pos_app.receipts.transliterate import keep_or_fold

if TYPE_CHECKING:
    from escpos.escpos import Escpos

NO_PAPER = 0
DRAWER_PIN = 2


@dataclass(frozen=True)
class Layout:
    """How to put a receipt on a printer: columns, code page, QR mode, cut, drawer."""

    columns: int = 48
    cut: bool = True
    open_drawer: bool = False
    code_page: str = "CP437"
    native_qr: bool = True


def for_code_page(text: str, code_page: str) -> str:
    """Keep what the code page can print, fold the rest (an unknown code page means ASCII).

    Control characters go: a byte such as ESC would start a printer command.
    """
    try:
        codec = codecs.lookup(code_page.lower()).name
    except LookupError:
        codec = "ascii"

    def printable(char: str) -> bool:
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            return False
        return True

    return keep_or_fold(strip_controls(text), printable)


def escpos_bytes(
    receipt: Receipt,
    *,
    columns: int = 48,
    cut: bool = True,
    open_drawer: bool = False,
    code_page: str = "CP437",
    native_qr: bool = True,
) -> bytes:
    """The exact bytes a thermal printer gets, built on python-escpos's Dummy printer."""
    from escpos.printer import Dummy

    dummy = Dummy()
    write(dummy, receipt, Layout(columns, cut, open_drawer, code_page, native_qr))
    return dummy.output


def write(device: Escpos, receipt: Receipt, layout: Layout) -> None:
    """Initialise, print the template, the QR code, then cut and kick the drawer."""
    write_lines(device, render_text(receipt, columns=layout.columns), layout, qr_payload(receipt))


def write_lines(
    device: Escpos, lines: list[str], layout: Layout, qr_text: str | None = None
) -> None:
    """Any slip made from the template's lines (receipts, shift slips), QR code when given."""
    device.hw("INIT")
    try:
        device.charcode(layout.code_page)
    except (ValueError, KeyError, EscposError) as exc:
        raise BadInput(
            f"The printer has no code page {layout.code_page}.", code="invalid_printer_config"
        ) from exc
    for line in lines:
        device.textln(for_code_page(line, layout.code_page))
    if qr_text is not None:
        # Native: the printer draws the code (GS ( k). Otherwise a raster image, for printers
        # without QR support. Either way the justification command centres it.
        device.set(align="center")
        device.qr(qr_text, size=4 if layout.columns >= 48 else 3, native=layout.native_qr)
        device.set(align="left")
    if layout.cut:
        device.cut()
    else:
        device.print_and_feed(4)
    if layout.open_drawer:
        device.cashdraw(DRAWER_PIN)


def send_to_printer(receipt: Receipt, printer_config: PrinterConfig) -> None:
    """Print on the workstation's printer; off, unplugged or out of paper is `printer_unavailable`.

    The money is already committed when this runs: a failure only means the
    cashier reprints once the printer is back. The drawer opens for the original
    of a cash payment, never for a reprint.
    """
    config = printer_config
    layout = Layout(
        config.columns,
        config.cut,
        config.open_drawer_on_cash and receipt.has_cash and not receipt.copy_number,
        config.code_page,
        config.qr == "native",
    )
    print_with(config, lambda device: write(device, receipt, layout))


def print_lines(lines: list[str], config: PrinterConfig) -> None:
    """A slip without QR code (shift slip, X report, wallet statement) on the thermal printer;
    `printer_unavailable` if it cannot be printed."""
    layout = Layout(config.columns, config.cut, False, config.code_page, config.qr == "native")
    print_with(config, lambda device: write_lines(device, lines, layout))


def print_with(config: PrinterConfig, job: Callable[[Escpos], None]) -> None:
    """Open the workstation's printer, check its paper, run `job` on it and close it."""
    device = _device(config)
    try:
        device.open()
        if config.check_paper and config.kind in ("network", "usb", "serial"):
            _require_paper(device, config)
        job(device)
    except (EscposError, OSError) as exc:
        raise _unavailable(config, "is not answering") from exc
    finally:
        _close(device)


def _device(config: PrinterConfig) -> Escpos:
    from escpos import printer as devices

    if config.kind == "none":
        raise Unavailable(
            "No receipt printer is set up for this workstation; the payment is "
            "saved and its receipt can be shown or saved as PDF.",
            code="printer_unavailable",
        )
    if config.kind == "network":
        host, _, port = config.address.partition(":")
        return devices.Network(host, int(port or 9100), timeout=config.timeout_s)
    if config.kind == "file":
        return devices.File(config.address)
    kind_class = devices.Usb if config.kind == "usb" else devices.Serial
    if not kind_class.is_usable():
        raise Unavailable(
            f"{config.kind.upper()} printers need python-escpos[{config.kind}] "
            "installed on this workstation.",
            code="printer_unavailable",
        )
    if config.kind == "usb":
        vendor, _, product = config.address.partition(":")
        return devices.Usb(int(vendor, 16), int(product, 16), timeout=int(config.timeout_s * 1000))
    port, _, baud = config.address.partition("@")
    return devices.Serial(port, baudrate=int(baud or 9600), timeout=config.timeout_s)


def _require_paper(device: Escpos, config: PrinterConfig) -> None:
    try:
        status = device.paper_status()
    except (EscposError, OSError):
        return  # a printer that cannot report paper is trusted to have it
    if status == NO_PAPER:
        raise _unavailable(config, "is out of paper")


def _unavailable(config: PrinterConfig, what: str) -> Unavailable:
    return Unavailable(
        f"The receipt printer ({config.kind} {config.address}) {what}. The payment is saved; "
        "fix the printer and reprint the receipt.",
        code="printer_unavailable",
    )


def _close(device: Escpos) -> None:
    with contextlib.suppress(EscposError, OSError):
        device.close()
