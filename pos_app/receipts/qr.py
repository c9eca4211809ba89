"""The QR code every receipt carries, as a module matrix or a crisp black-and-white image."""

from __future__ import annotations

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(payload: str) -> list[list[bool]]:
    """Dark (True) and light modules, quiet zone included; M level survives a crease."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def qr_image(payload: str, *, scale: int = 1) -> Image.Image:
    """A 1-bit image, `scale` pixels per module: no seams when a viewer or printer scales it."""
    matrix = qr_matrix(payload)
    size = len(matrix)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    if scale <= 1:
        return image
    return image.resize((size * scale, size * scale), Image.Resampling.NEAREST)
