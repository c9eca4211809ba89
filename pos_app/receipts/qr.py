"""The QR code every receipt carries, as a module matrix any renderer can draw."""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(payload: str) -> list[list[bool]]:
    """Dark (True) and light modules, quiet zone included; M level survives a crease."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()
