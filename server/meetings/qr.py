"""QR codes for joining, drawn locally as SVG (no network in a hall)."""

from __future__ import annotations

import io

import qrcode
from qrcode.image.svg import SvgPathImage


def qr_svg(url: str) -> bytes:
    image = qrcode.make(url, image_factory=SvgPathImage, border=2, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
