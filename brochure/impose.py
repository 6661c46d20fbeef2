"""Impose the wallet card 10-up on US Letter for Avery 5371/8371 card stock.

The card is laid out once. Each face becomes a PDF form XObject that the sheet draws ten times,
so the sheet costs about one card, not ten, and the file stays small (pikepdf's public
Page.as_form_xobject and add_resource do the placing).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

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
    with pikepdf.open(io.BytesIO(card_pdf)) as card:
        sheet = pikepdf.new()
        faces = [(card.pages[0], layout.front_slots(), True)]
        faces.append((card.pages[1], layout.back_slots(), False))
        for face, slots, with_marks in faces:
            page = sheet.add_blank_page(page_size=(layout.sheet_w, layout.sheet_h))
            form = sheet.copy_foreign(face.as_form_xobject())
            name = page.add_resource(form, Name.XObject, Name.Card)
            ops = [f"q 1 0 0 1 {x:.3f} {y:.3f} cm {name} Do Q" for x, y in slots]
            if with_marks:
                ops.append(_marks(layout))
            page.obj.Contents = sheet.make_stream("\n".join(ops).encode("ascii"))
            _copy_links(face, page, slots, sheet)
        _copy_document_info(card, sheet, duplex)
        out = io.BytesIO()
        sheet.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def _copy_links(
    face: pikepdf.Page, sheet_page: pikepdf.Page, slots: list, sheet: pikepdf.Pdf
) -> None:
    """The card's tel: links, once per card, so the number stays tappable on screen."""
    links = [
        a
        for a in face.obj.get(Name.Annots, [])
        if a.get(Name.Subtype) == Name.Link and a.get(Name.A, {}).get(Name.S) == Name.URI
    ]
    annotations = Array()
    for x, y in slots:
        for link in links:
            left, bottom, right, top = (float(v) for v in link.Rect)
            annotations.append(
                sheet.make_indirect(
                    Dictionary(
                        Type=Name.Annot,
                        Subtype=Name.Link,
                        Rect=Array(
                            [round(v, 3) for v in (left + x, bottom + y, right + x, top + y)]
                        ),
                        Border=Array([0, 0, 0]),
                        A=Dictionary(S=Name.URI, URI=pikepdf.String(str(link.A.URI))),
                    )
                )
            )
    if annotations:
        sheet_page.obj.Annots = annotations


def _copy_document_info(card: pikepdf.Pdf, sheet: pikepdf.Pdf, duplex: str) -> None:
    """Title, dates, language and print preferences carry over from the card."""
    for key, value in card.docinfo.items():
        if key != "/Producer":
            sheet.docinfo[key] = pikepdf.String(str(value))
    sheet.docinfo[Name.Producer] = pikepdf.String("brochure (pikepdf)")
    if Name.Lang in card.Root:
        sheet.Root.Lang = pikepdf.String(str(card.Root.Lang))
    sheet.Root.ViewerPreferences = Dictionary(
        Duplex=Name("/" + duplex), PrintScaling=Name("/None"), DisplayDocTitle=True
    )


def _marks(layout: SheetLayout) -> str:
    """Hairline black cut marks (0.5 pt), drawn in the margins only."""
    ops = ["q 0 G 0.5 w"]
    ops += [f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S" for x1, y1, x2, y2 in layout.cut_lines()]
    ops.append("Q")
    return "\n".join(ops)
