"""QR codes for the handouts, drawn as SVG so they stay sharp at any print size."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str, colour: str = "#000000") -> Markup:
    """An inline SVG QR code; size it in CSS. The card leaves the quiet zone around it."""
    code = segno.make(data, error="m", micro=False)
    return Markup(code.svg_inline(omitsize=True, border=0, dark=colour))
