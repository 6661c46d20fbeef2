"""Impose the wallet card 10-up on US Letter for Avery 5371/8371 card stock.

The card is laid out once. The sheet is the card's own PDF with its two pages enlarged to
Letter, so it keeps the card's tags, language, title and PDF/UA identification, and a screen
reader reads it as one card: the front (page 1), then the back (page 2), each once.

On each page the first card (top left on the fronts, behind it on the backs) is the card
page's own content, tagged, and its links are the card's links. The other nine are a form
XObject of the same face with the tags taken out, drawn nine times as artifacts (decoration
a screen reader skips), so the sheet costs about one card, not ten. Their links belong to the
first card's Link element, so every number on the sheet stays tappable but is read once. The
cut marks are artifacts too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

from brochure.documents import PT_PER_IN
from brochure.errors import BrochureError


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

#: Marked-content operators: the untagged copy of a face drops them all, so no tagged content
#: sits inside the artifact that draws it (PDF/UA forbids that nesting).
MARKED_CONTENT = {"BDC", "BMC", "EMC", "MP", "DP"}


@dataclass(frozen=True)
class SheetSide:
    """One page of an imposed sheet: which face of the card it shows and where. On the first
    front and the first back, the first slot holds the card's own tagged content."""

    page: pikepdf.Page
    face: int  # 0 front, 1 back
    slots: tuple[tuple[float, float], ...]
    tagged_first: bool


def impose_cards(
    card_pdf: bytes,
    duplex: str = "DuplexFlipLongEdge",
    layout: SheetLayout = AVERY_5371,
    quantity: int | None = None,
) -> bytes:
    """Return the sheet: fronts with cut marks, then backs in mirrored columns; QUANTITY cards
    (default: one full sheet) on as many sheets as they need, in page pairs."""
    with pikepdf.open(io.BytesIO(card_pdf)) as pdf:
        impose_into(pdf, duplex, layout, quantity)
        return save_sheet(pdf)


def save_sheet(pdf: pikepdf.Pdf, fix_metadata: bool = True) -> bytes:
    """The sheet's bytes, repeatable. FIX_METADATA=False skips re-reading the XMP metadata
    (half the cost of saving a small sheet) when a caller knows it is already right."""
    out = io.BytesIO()
    pdf.save(
        out,
        fix_metadata_version=fix_metadata,
        deterministic_id=True,
        compress_streams=True,
        # The 20 links and their structure are small objects: one compressed stream.
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        min_version="1.7",
    )
    return out.getvalue()


def sheet_counts(quantity: int, per_sheet: int) -> list[int]:
    """Cards on each sheet: full sheets, then what is left (25 -> [10, 10, 5])."""
    full, rest = divmod(quantity, per_sheet)
    return [per_sheet] * full + ([rest] if rest else [])


def impose_into(
    pdf: pikepdf.Pdf,
    duplex: str = "DuplexFlipLongEdge",
    layout: SheetLayout = AVERY_5371,
    quantity: int | None = None,
) -> list[SheetSide]:
    """Turn the two-page card PDF into its sheets, in place; returns every side, in page order.

    Sheets after the first are decoration to a screen reader (the card is read once): every
    card on them is the untagged copy, drawn as an artifact."""
    if Name.StructTreeRoot not in pdf.Root:
        raise BrochureError(
            "wallet-card-sheet: the card is not tagged; the sheet is made from the tagged office "
            "card that brochure build writes"
        )
    per_sheet = layout.columns * layout.rows
    counts = sheet_counts(quantity or per_sheet, per_sheet)
    next_key = _next_parent_tree_key(pdf)
    faces = [(pdf.pages[0], layout.front_slots()[: counts[0]], True)]
    faces.append((pdf.pages[1], layout.back_slots()[: counts[0]], False))
    sides = []
    for index, (face, slots, with_marks) in enumerate(faces):
        _check_card_page(face, layout)
        _move_structure(pdf, face, slots[0])
        next_key = _place_links(pdf, face, slots, next_key)
        _place_faces(pdf, face, slots, layout, with_marks)
        sides.append(SheetSide(face, index, tuple(slots), True))
    pdf.Root.StructTreeRoot.ParentTreeNextKey = next_key
    _move_destinations(pdf, faces)
    _document_info(pdf, duplex)
    for count in counts[1:]:
        for index, (face, _slots, with_marks) in enumerate(faces):
            all_slots = layout.front_slots() if index == 0 else layout.back_slots()
            slots = all_slots[:count]
            page = _artifact_sheet(pdf, face, slots, layout, with_marks)
            sides.append(SheetSide(page, index, tuple(slots), False))
    return sides


def _artifact_sheet(
    pdf: pikepdf.Pdf,
    face: pikepdf.Page,
    slots: list[tuple[float, float]],
    layout: SheetLayout,
    with_marks: bool,
) -> pikepdf.Page:
    """A further sheet side: the face's untagged copy in every slot, as decoration."""
    ops = [f"/Artifact BMC q 1 0 0 1 {x:.3f} {y:.3f} cm /Card Do Q EMC".encode() for x, y in slots]
    if with_marks:
        ops.append(_marks(layout).encode("ascii"))
    page = pikepdf.Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, layout.sheet_w, layout.sheet_h]),
        Resources=face.obj.Resources,
        Contents=pdf.make_stream(b"\n".join(ops)),
    )
    pdf.pages.append(pikepdf.Page(page))
    return pdf.pages[-1]


def _check_card_page(face: pikepdf.Page, layout: SheetLayout) -> None:
    """The card's page must start at (0, 0) and be one card: the sheet draws it as it is."""
    box = [float(v) for v in face.obj.MediaBox]
    if box != [0.0, 0.0, layout.card_w, layout.card_h]:
        raise BrochureError(
            f"wallet-card-sheet: the card page is {box[2] - box[0]:.1f} x {box[3] - box[1]:.1f} "
            f"pt; the sheet can only place {layout.card_w:.0f} x {layout.card_h:.0f} pt cards"
        )


def _place_faces(
    pdf: pikepdf.Pdf,
    face: pikepdf.Page,
    slots: list[tuple[float, float]],
    layout: SheetLayout,
    with_marks: bool,
) -> None:
    """Make FACE's page the sheet: its own tagged content in the first slot, clipped to the
    card as a form would be; an untagged copy as an artifact in the other nine."""
    tagged = b"\n".join(part.read_bytes() for part in _as_list(face.obj.Contents))
    untagged = [
        op
        for op in pikepdf.parse_content_stream(face)
        if isinstance(op, pikepdf.ContentStreamInlineImage)
        or str(op.operator) not in MARKED_CONTENT
    ]
    copy = pdf.make_stream(
        pikepdf.unparse_content_stream(untagged),
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=Array([0, 0, layout.card_w, layout.card_h]),
        Resources=face.obj.Resources,
    )
    # The card's resources are shared by both card pages; each sheet page gets its own
    # dictionary naming its copy, so no form lists itself among its own resources.
    resources = Dictionary({key: value for key, value in face.obj.Resources.items()})
    resources.XObject = Dictionary()
    face.obj.Resources = resources
    name = face.add_resource(copy, Name.XObject, Name.Card)
    x, y = slots[0]
    clip = f"0 0 {layout.card_w:.3f} {layout.card_h:.3f} re W n"
    ops = [f"q 1 0 0 1 {x:.3f} {y:.3f} cm {clip}".encode(), tagged, b"Q"]
    ops += [
        f"/Artifact BMC q 1 0 0 1 {x:.3f} {y:.3f} cm {name} Do Q EMC".encode() for x, y in slots[1:]
    ]
    if with_marks:
        ops.append(_marks(layout).encode("ascii"))
    face.obj.Contents = pdf.make_stream(b"\n".join(ops))
    face.obj.MediaBox = Array([0, 0, layout.sheet_w, layout.sheet_h])
    for box in (Name.CropBox, Name.TrimBox, Name.BleedBox, Name.ArtBox):
        if box in face.obj:
            del face.obj[box]


def _move_structure(pdf: pikepdf.Pdf, face: pikepdf.Page, offset: tuple[float, float]) -> None:
    """Layout boxes of the face's structure elements (the QR code's Figure) move with the
    first card, so they still outline what they describe."""
    dx, dy = offset
    for element in _struct_elements(pdf.Root.StructTreeRoot):
        if element.get(Name.Pg) is None or element.Pg.objgen != face.obj.objgen:
            continue
        for attribute in _as_list(element.get(Name.A)):
            if isinstance(attribute, Dictionary) and Name.BBox in attribute:
                x1, y1, x2, y2 = (float(v) for v in attribute.BBox)
                attribute.BBox = Array([round(v, 3) for v in (x1 + dx, y1 + dy, x2 + dx, y2 + dy)])


def _struct_elements(node: pikepdf.Object) -> list[Dictionary]:
    """Every structure element under NODE, parents first."""
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Array):
            stack.extend(reversed(list(item)))
        elif isinstance(item, Dictionary) and item.get(Name.Type) not in (Name.MCR, Name.OBJR):
            if item.get(Name.Type) == Name.StructElem:
                found.append(item)
            if Name.K in item:
                stack.append(item.K)
    return found


def _place_links(
    pdf: pikepdf.Pdf, face: pikepdf.Page, slots: list[tuple[float, float]], next_key: int
) -> int:
    """The card's links move to the first card; each other card gets a copy that belongs to
    the same Link element (one link, drawn ten times), so a screen reader announces it once.
    Every link keeps the card's description (/Contents). Returns the next free parent key."""
    parent_tree = pdf.Root.StructTreeRoot.ParentTree
    annotations = Array()
    for link in face.obj.get(Name.Annots, []):
        if link.get(Name.Subtype) != Name.Link:
            annotations.append(link)
            continue
        element = _parent_of(parent_tree, int(link.StructParent))
        uri = str(link.A.URI)
        description = str(link.get(Name.Contents, uri))
        link.Contents = pikepdf.String(description)
        left, bottom, right, top = (float(v) for v in link.Rect)
        (x0, y0), rest = slots[0], slots[1:]
        link.Rect = _moved(left, bottom, right, top, x0, y0)
        annotations.append(link)
        references = []
        for x, y in rest:
            copy = pdf.make_indirect(
                Dictionary(
                    Type=Name.Annot,
                    Subtype=Name.Link,
                    Rect=_moved(left, bottom, right, top, x, y),
                    BS=Dictionary(W=0),
                    A=Dictionary(Type=Name.Action, S=Name.URI, URI=pikepdf.String(uri)),
                    Contents=pikepdf.String(description),
                    StructParent=next_key,
                )
            )
            parent_tree.Nums.extend([next_key, element])
            next_key += 1
            annotations.append(copy)
            references.append(Dictionary(Type=Name.OBJR, Obj=copy, Pg=face.obj))
        kids = _as_list(element.K)
        objr_end = max((i + 1 for i, k in enumerate(kids) if _is_objr(k)), default=0)
        element.K = Array([*kids[:objr_end], *references, *kids[objr_end:]])
    face.obj.Annots = annotations
    return next_key


def _moved(left: float, bottom: float, right: float, top: float, x: float, y: float) -> Array:
    """A link rectangle moved by (x, y), written lower-left corner first."""
    return Array(
        [
            round(v, 3)
            for v in (
                min(left, right) + x,
                min(bottom, top) + y,
                max(left, right) + x,
                max(bottom, top) + y,
            )
        ]
    )


def _as_list(value: pikepdf.Object | None) -> list:
    """A PDF value that may be one item or an array of them, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def _is_objr(kid: pikepdf.Object) -> bool:
    return isinstance(kid, Dictionary) and kid.get(Name.Type) == Name.OBJR


def _parent_of(parent_tree: Dictionary, key: int) -> Dictionary:
    """The structure element a /StructParent key names (WeasyPrint writes one flat /Nums)."""
    nums = parent_tree.Nums
    for index in range(0, len(nums), 2):
        if int(nums[index]) == key:
            return nums[index + 1]
    raise BrochureError(
        f"wallet-card-sheet: a link on the card is not in its structure (key {key}), so the "
        "sheet cannot tag its copies; the card PDF is not what WeasyPrint 70 writes"
    )


def _next_parent_tree_key(pdf: pikepdf.Pdf) -> int:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return max(int(nums[i]) for i in range(0, len(nums), 2)) + 1


def _move_destinations(pdf: pikepdf.Pdf, faces: list) -> None:
    """Named places on a face (the card's section ids) point at the first card."""
    dests = pdf.Root.get(Name.Names, {}).get(Name.Dests, {}).get(Name.Names, [])
    offsets = {face.obj.objgen: slots[0] for face, slots, _ in faces}
    for index in range(1, len(dests), 2):
        dest = dests[index]
        if len(dest) == 5 and dest[1] == Name.XYZ and dest[0].objgen in offsets:
            x, y = offsets[dest[0].objgen]
            dest[2], dest[3] = float(dest[2]) + x, float(dest[3]) + y


def _document_info(pdf: pikepdf.Pdf, duplex: str) -> None:
    """Say who made the sheet and how to print it; the card's title, language and PDF/UA
    identification stay, and the XMP metadata is kept in step with the document info."""
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdf:Producer"] = "brochure (pikepdf)"
        meta["pdfuaid:part"] = "1"
        meta["dc:title"] = str(pdf.docinfo.get(Name.Title, ""))
    pdf.Root.ViewerPreferences = Dictionary(
        Duplex=Name("/" + duplex), PrintScaling=Name("/None"), DisplayDocTitle=True
    )


def _marks(layout: SheetLayout) -> str:
    """Hairline black cut marks (0.5 pt), drawn in the margins only: printer's marks, so
    artifacts of the page, not content."""
    ops = ["/Artifact <</Type /Page>> BDC q 0 G 0.5 w"]
    ops += [f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S" for x1, y1, x2, y2 in layout.cut_lines()]
    ops.append("Q EMC")
    return "\n".join(ops)
