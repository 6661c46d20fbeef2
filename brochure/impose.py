"""Impose the wallet card 10-up on US Letter for Avery 5371/8371 card stock.

The card is laid out once. Each face becomes a PDF form XObject that the sheet draws ten times,
so the sheet costs about one card, not ten, and the file stays small.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

from brochure.documents import PT_PER_IN


@dataclass(frozen=True)
class SheetLayout:
    """Avery 5371/8371: 2 across, 5 down, 3.5 x 2 in cards butted together."""

    sheet_w: float = 8.5 * PT_PER_IN
    sheet_h: float = 11 * PT_PER_IN
    card_w: float = 3.5 * PT_PER_IN
    card_h: float = 2 * PT_PER_IN
    left: float = 0.75 * PT_PER_IN
    top: float = 0.5 * PT_PER_IN
    columns: int = 2
    rows: int = 5
    mark_gap: float = 0.0625 * PT_PER_IN  # cut marks stop this far from the cards
    safe: float = 0.25 * PT_PER_IN  # office printers cannot print closer to the edge

    def front_slots(self) -> list[tuple[float, float]]:
        """Lower-left corners (PDF coordinates) of the cards, row by row from the top left."""
        return [
            (self.left + c * self.card_w, self.sheet_h - self.top - (r + 1) * self.card_h)
            for r in range(self.rows)
            for c in range(self.columns)
        ]

    def back_slots(self) -> list[tuple[float, float]]:
        """Where each card's back goes so that long-edge duplex puts it behind its front."""
        return [(self.sheet_w - x - self.card_w, y) for x, y in self.front_slots()]

    def cut_lines(self) -> list[tuple[float, float, float, float]]:
        """Short marks in the margins, in line with every card edge, never touching a card."""
        xs = [self.left + c * self.card_w for c in range(self.columns + 1)]
        top_edge = self.sheet_h - self.top
        bottom_edge = top_edge - self.rows * self.card_h
        ys = [top_edge - r * self.card_h for r in range(self.rows + 1)]
        right_edge = xs[-1]
        lines = []
        for x in xs:
            lines.append((x, top_edge + self.mark_gap, x, self.sheet_h - self.safe))
            lines.append((x, self.safe, x, bottom_edge - self.mark_gap))
        for y in ys:
            lines.append((self.safe, y, self.left - self.mark_gap, y))
            lines.append((right_edge + self.mark_gap, y, self.sheet_w - self.safe, y))
        return lines


AVERY_5371 = SheetLayout()


def impose_cards(
    card_pdf: bytes, duplex: str = "DuplexFlipLongEdge", layout: SheetLayout = AVERY_5371
) -> bytes:
    """Return a two-page sheet: fronts with cut marks, then backs in mirrored columns."""
    reader = PdfReader(io.BytesIO(card_pdf))
    writer = PdfWriter()
    faces = [(reader.pages[0], layout.front_slots(), True)]
    faces.append((reader.pages[1], layout.back_slots(), False))
    for face, slots, with_marks in faces:
        sheet = writer.add_blank_page(layout.sheet_w, layout.sheet_h)
        form = writer._add_object(_as_form(face, writer))
        sheet[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/XObject"): DictionaryObject({NameObject("/Card"): form})}
        )
        ops = [f"q 1 0 0 1 {x:.3f} {y:.3f} cm /Card Do Q" for x, y in slots]
        if with_marks:
            ops.append(_marks(layout))
        content = DecodedStreamObject()
        content.set_data("\n".join(ops).encode("ascii"))
        sheet[NameObject("/Contents")] = writer._add_object(content)
        sheet.compress_content_streams()
        _copy_links(face, sheet, slots, writer)
    _copy_document_info(reader, writer, duplex)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _copy_links(face: PageObject, sheet: PageObject, slots: list, writer: PdfWriter) -> None:
    """The card's tel: links, once per card, so the number stays tappable on screen."""
    annotations = [a.get_object() for a in face.get("/Annots", [])]
    for x, y in slots:
        for annotation in annotations:
            if annotation.get("/Subtype") != "/Link":
                continue
            left, bottom, right, top = (float(v) for v in annotation["/Rect"])
            link = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject(
                        FloatObject(round(v, 3)) for v in (left + x, bottom + y, right + x, top + y)
                    ),
                    NameObject("/Border"): ArrayObject([FloatObject(0)] * 3),
                    NameObject("/A"): annotation["/A"].get_object().clone(writer),
                }
            )
            writer.add_annotation(sheet, link)


def _copy_document_info(reader: PdfReader, writer: PdfWriter, duplex: str) -> None:
    """Title, dates, language and print preferences carry over from the card."""
    info = {k: v for k, v in (reader.metadata or {}).items() if k != "/Producer"}
    writer.add_metadata({**info, "/Producer": "brochure (pypdf)"})
    catalog = writer.root_object
    if "/Lang" in reader.root_object:
        catalog[NameObject("/Lang")] = reader.root_object["/Lang"].clone(writer)
    catalog[NameObject("/ViewerPreferences")] = DictionaryObject(
        {
            NameObject("/Duplex"): NameObject(f"/{duplex}"),
            NameObject("/PrintScaling"): NameObject("/None"),
            NameObject("/DisplayDocTitle"): BooleanObject(True),
        }
    )


def _as_form(page: PageObject, writer: PdfWriter) -> DecodedStreamObject:
    """Wrap a page's drawing as a reusable form XObject."""
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    box = page.mediabox
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)
            ),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    return form


def _marks(layout: SheetLayout) -> str:
    """Hairline black cut marks (0.5 pt), drawn in the margins only."""
    ops = ["q 0 G 0.5 w"]
    ops += [f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S" for x1, y1, x2, y2 in layout.cut_lines()]
    ops.append("Q")
    return "\n".join(ops)
