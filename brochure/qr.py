"""QR codes for the handouts, drawn as SVG so they stay sharp at any print size."""

from __future__ import annotations

from functools import lru_cache
from html import escape

import segno
from markupsafe import Markup


@lru_cache(maxsize=32)  # one per number, ink and description: a handful per process
def qr_svg(data: str, ink: str = "#000", title: str = "") -> Markup:
    """An inline SVG QR code; size it in CSS. The card leaves the quiet zone around it.

    INK is any CSS colour WeasyPrint understands, device-cmyk() included (segno itself only
    knows web colours, so its black stroke is swapped for INK afterwards). TITLE is what a
    screen reader says for the code: WeasyPrint makes an SVG's <title> the /Alt of its Figure.
    """
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(omitsize=True, border=0, dark="#000", title=title or None)
    # The modules are stroked lines; fill="none" keeps SVG's default black fill (RGB) out.
    svg = svg.replace('stroke="#000"', f'fill="none" stroke="{escape(ink)}"', 1)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1) if title else svg)
