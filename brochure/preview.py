"""`brochure preview`: each page as a PNG with the design guides drawn over it: trim, bleed,
the 1/4 in safe area, fold lines with panel names, and card cut lines."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from brochure.documents import PT_PER_IN, DocumentSpec
from brochure.impose import AVERY_5371

DPI = 110
COLOURS = {
    "bleed": (214, 40, 40),
    "trim": (0, 150, 200),
    "safe": (30, 160, 60),
    "fold": (200, 0, 160),
    "cut": (0, 90, 220),
}


def preview_pages(pdf: bytes, spec: DocumentSpec, bleed_in: float, folder: Path) -> list[Path]:
    """Render every page with its guides into FOLDER; return the PNG paths."""
    import pypdfium2

    folder.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    paths = []
    try:
        for index, page in enumerate(document):
            image = page.render(scale=DPI / PT_PER_IN).to_pil().convert("RGB")
            draw_guides(image, spec, index, bleed_in)
            path = folder / f"{spec.name}-{index + 1}.png"
            image.save(path)
            paths.append(path)
    finally:
        document.close()
    return paths


def draw_guides(image: Image.Image, spec: DocumentSpec, page: int, bleed_in: float) -> None:
    draw = ImageDraw.Draw(image)

    def px(inches: float) -> int:
        return round(inches * DPI)

    left, top = px(bleed_in), px(bleed_in)
    right, bottom = left + px(spec.width_in), top + px(spec.height_in)
    if bleed_in:
        draw.rectangle((0, 0, image.width - 1, image.height - 1), outline=COLOURS["bleed"], width=2)
        _label(draw, (4, 2), "bleed", COLOURS["bleed"])
    draw.rectangle((left, top, right - 1, bottom - 1), outline=COLOURS["trim"], width=2)
    safe = px(0.25)
    _dashed_rect(draw, (left + safe, top + safe, right - safe, bottom - safe), COLOURS["safe"])
    if spec.panels:
        starts = (0.0, *spec.folds[page])
        for x in spec.folds[page]:
            _dashed_line(draw, (left + px(x), top), (left + px(x), bottom), COLOURS["fold"])
        for x, panel in zip(starts, spec.panels[page], strict=True):
            _label(draw, (left + px(x) + 6, top + 4), panel.label, COLOURS["fold"])
    if spec.made_from == "wallet-card":
        slots = AVERY_5371.front_slots() if page == 0 else AVERY_5371.back_slots()
        for x_pt, y_pt in slots:
            x0 = left + px(x_pt / PT_PER_IN)
            y0 = top + px((AVERY_5371.sheet_h - y_pt - AVERY_5371.card_h) / PT_PER_IN)
            box = (x0, y0, x0 + px(3.5), y0 + px(2))
            draw.rectangle(box, outline=COLOURS["cut"], width=1)


def _label(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, colour) -> None:
    x, y = xy
    font = ImageFont.load_default(size=15)
    box = draw.textbbox((x, y), text, font=font)
    draw.rectangle((box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2), fill=(255, 255, 255))
    draw.text((x, y), text, fill=colour, font=font)


def _dashed_line(draw, start, end, colour, dash: int = 8) -> None:
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    for offset in range(0, length, dash * 2):
        t0, t1 = offset / length, min(offset + dash, length) / length
        draw.line(
            (x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0, x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1),
            fill=colour,
            width=2,
        )


def _dashed_rect(draw, box, colour) -> None:
    x0, y0, x1, y1 = box
    for start, end in (
        ((x0, y0), (x1, y0)),
        ((x1, y0), (x1, y1)),
        ((x0, y1), (x1, y1)),
        ((x0, y0), (x0, y1)),
    ):
        _dashed_line(draw, start, end, colour, dash=5)
