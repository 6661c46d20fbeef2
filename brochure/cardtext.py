"""The fast way to make a thousand workers' cards: lay out the card once, draw only the names.

Variable-data printing (PDF/VT) in small. For each card language WeasyPrint lays out the card
once without the worker's lines (the static layer: number, QR code, words, draft marks), and
once with a probe worker to learn where each of its lines sits (`LineSlot`: WeasyPrint's own
left edge and baseline). Then, per worker:

- the static card is imposed on the worker's sheets as the ordinary card sheet is (its first
  card the tagged page itself, the others one form XObject drawn as decoration);
- the worker's runs are shaped by HarfBuzz in the very font files WeasyPrint uses
  (brochure/worker_card.py chose them), and drawn as real text: a Type 0 font per face, one
  subset per file (HarfBuzz's subsetter, glyph ids kept, variable fonts pinned to the weight),
  with a ToUnicode map so `pdftotext` and a search read the words back;
- on the first card the lines are tagged: a P per line, a Span per run with its language
  (and /ActualText for scripts whose glyphs alone do not give the words back), marked content
  with MCIDs; on every other card they are one form XObject drawn as an artifact.

A card this path cannot draw (a right-to-left card: its runs would need the bidi algorithm
Pango applies; or a run in a font it does not embed: Noto Sans CJK is CFF, not TrueType) is
made the simple way instead (brochure.cards.simple_card), so every worker still gets a
correct card, at WeasyPrint's speed.

The combined file for the print shop draws every worker from one copy of each static card and
one font subset per face for all the workers' lines.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import uharfbuzz as hb
from pikepdf import Array, Dictionary, Name, String

from brochure import fonts
from brochure.cards import CARD, COMBINED, FOLDER, SHEET, CardFile, Roster, card_path, make_pipeline
from brochure.documents import PT_PER_IN
from brochure.editions import Edition
from brochure.errors import BrochureError
from brochure.impose import AVERY_5371, SheetSide, impose_into, save_sheet, sheet_counts
from brochure.layoutboxes import children, element_of, needs_actual_text, positioned
from brochure.render import render_html
from brochure.worker_card import BOLD, LINE_KINDS, SIZES, Line, Run, WorkerCard

PX = 0.75  # CSS px -> pt
#: Tables a PDF viewer never reads from an embedded font: shaping is done before drawing.
DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "morx", "BASE", "JSTF", "MATH", "STAT")
CARD_H = 2 * PT_PER_IN


# --- where the lines go ---------------------------------------------------------------------


@dataclass(frozen=True)
class LineSlot:
    """Where WeasyPrint puts a worker line on the card, in PDF points from the lower left."""

    x: float
    baseline: float
    width: float  # room for the line: a wider one does not fit


@dataclass
class StaticCard:
    """One card language's static card and where its worker lines go."""

    pdf: bytes
    slots: dict[str, LineSlot]
    colours: dict[str, tuple[float, float, float]]
    sheets: dict[int, bytes] = field(default_factory=dict)

    def sheet(self, quantity: int) -> bytes:
        """The card imposed for QUANTITY cards, made once per quantity: imposing (moving the
        structure, copying the face into a form) costs more than drawing a worker's lines."""
        if quantity not in self.sheets:
            self.sheets[quantity] = impose_sheet(self.pdf, quantity)
        return self.sheets[quantity]


def impose_sheet(card_pdf: bytes, quantity: int) -> bytes:
    with pikepdf.open(io.BytesIO(card_pdf)) as pdf:
        impose_into(pdf, SHEET.duplex, AVERY_5371, quantity)
        return save_sheet(pdf)


def static_card(pipeline: Any, edition: Edition, probe: WorkerCard, templates: Path) -> StaticCard:
    """The card without the worker's lines (drawn later), and where those lines sit: read from
    WeasyPrint's layout of the same card with PROBE's lines. The lines' strut sets their
    baseline whatever fonts the runs use (wallet-card.css), so one probe serves every worker."""
    pdf, _reads, _fine = pipeline.lay_out(edition, CARD, {"worker": {"lines": (), "where": ""}})
    from brochure.pipeline import template_context

    # Every kind of line, each holding the probe's first run: where each line's baseline is.
    run = probe.lines[0].runs[0]
    lines = tuple(Line(kind, (run,)) for kind in LINE_KINDS)
    context = template_context(edition, CARD, pipeline.settings.profile) | {
        "worker": {"lines": lines, "where": probe.where}
    }
    html = render_html(templates, CARD.template, context)
    document, _report = pipeline.renderer.layout(html, templates, CARD.template)
    slots: dict[str, LineSlot] = {}
    _find_slots(positioned(document.pages[0]._page_box), slots)
    missing = [kind for kind in LINE_KINDS if kind not in slots]
    if missing:
        raise BrochureError(
            f"{templates.name}/{CARD.template}: the worker lines ({', '.join(missing)}) are not "
            "where brochure cards expects them (class worker__line--NAME with one text run)"
        )
    return StaticCard(pdf, slots, _colours(templates / "css" / "tokens.css"))


def _find_slots(box: Any, slots: dict[str, LineSlot]) -> None:
    """The first text of each `worker__line--KIND` box: its left edge and its baseline."""
    element = element_of(box)
    classes = (element.get("class") or "").split() if element is not None else []
    kind = next((c.split("--")[1] for c in classes if c.startswith("worker__line--")), None)
    if kind and kind not in slots:
        text = _first_text(box)
        if text is not None:
            baseline = text.position_y + text.baseline
            slots[kind] = LineSlot(box.content_box_x() * PX, CARD_H - baseline * PX, box.width * PX)
    for child in children(positioned(box)):
        _find_slots(positioned(child), slots)


def _first_text(box: Any) -> Any:
    if getattr(box, "text", None) and hasattr(box, "baseline"):
        return box
    for child in children(box):
        found = _first_text(child)
        if found is not None:
            return found
    return None


def _colours(tokens_css: Path) -> dict[str, tuple[float, float, float]]:
    """The line colours as tokens.css sets them: name in --brand, place in --ink."""
    text = tokens_css.read_text(encoding="utf-8")
    found = dict(re.findall(r"--(brand|ink):\s*#([0-9a-fA-F]{6})", text))
    rgb = {k: tuple(int(v[i : i + 2], 16) / 255 for i in (0, 2, 4)) for k, v in found.items()}
    return {"name": rgb["brand"], "place": rgb["ink"], "more": rgb["ink"]}  # type: ignore[dict-item]


# --- fonts and shaping ----------------------------------------------------------------------


@dataclass(frozen=True)
class Shaped:
    """One run shaped: glyph ids, where each goes (pt, from the run's start), its text."""

    run: Run
    face: fonts.FontFace
    bold: bool
    size: float
    glyphs: tuple[tuple[int, float, float, str], ...]  # gid, x, y, text it stands for
    width: float


@functools.cache
def _face_for(family: str, bold: bool) -> fonts.FontFace | None:
    """The face WeasyPrint would use: the family's bold file, or its variable file."""
    faces = [f for f in fonts.faces() if f.family == family]
    weight = 700 if bold else 400
    exact = [f for f in faces if f.weight == weight and not f.variable]
    variable = [f for f in faces if f.variable]
    found = (exact or variable or [None])[0]
    return found


@functools.cache
def _hb_font(face: fonts.FontFace, bold: bool) -> tuple[hb.Font, hb.Face]:
    blob = hb.Blob.from_file_path(str(face.path))
    hb_face = hb.Face(blob, face.index)
    font = hb.Font(hb_face)
    if face.variable:
        font.set_variations({"wght": 700 if bold else 400})
    return font, hb_face


def embeddable(face: fonts.FontFace) -> bool:
    """TrueType outlines only: a CFF font (Noto Sans CJK) needs another PDF font type."""
    return "glyf" in _hb_font(face, False)[1].table_tags


@functools.lru_cache(maxsize=4096)  # measured, then drawn; the same city and separators
def shape(run: Run, kind: str) -> Shaped:
    """RUN shaped as Pango shapes it: its language, its script's direction, default features."""
    bold = BOLD[kind]
    face = _face_for(run.family, bold)
    if face is None:
        raise BrochureError(f"{run.family}: no font file for this family; reinstall (make)")
    font, hb_face = _hb_font(face, bold)
    buffer = hb.Buffer()
    buffer.add_str(run.text)
    buffer.guess_segment_properties()
    buffer.language = run.lang
    hb.shape(font, buffer)
    # Drawn at the size WeasyPrint draws the family at (its x-height: fonts.size_adjust).
    size = SIZES[kind] * fonts.size_adjust().get(run.family, 1.0)
    scale = size / hb_face.upem
    texts = _glyph_texts(run.text, buffer.glyph_infos, _nominal(face, bold))
    glyphs = []
    pen = 0.0
    for info, pos, text in zip(buffer.glyph_infos, buffer.glyph_positions, texts, strict=True):
        glyphs.append((info.codepoint, (pen + pos.x_offset) * scale, pos.y_offset * scale, text))
        pen += pos.x_advance
    return Shaped(run, face, bold, size, tuple(glyphs), pen * scale)


@functools.cache
def _nominal(face: fonts.FontFace, bold: bool) -> dict[int, str]:
    """Glyph id -> the one character the font's character map draws with it."""
    font, hb_face = _hb_font(face, bold)
    found: dict[int, str] = {}
    for code in sorted(hb_face.unicodes):
        gid = font.get_nominal_glyph(code)
        if gid:
            found.setdefault(gid, chr(code))
    return found


def _glyph_texts(text: str, infos: list, nominal: dict[int, str]) -> list[str]:
    """The text each glyph gives back (its ToUnicode entry). A glyph that is a character's own
    (a letter, a vowel sign drawn before its consonant) gives that character, so the mapping
    holds wherever the glyph appears; the first other glyph of a cluster (a ligature, a
    conjunct) gives what is left of the cluster; the rest give nothing."""
    clusters = sorted({info.cluster for info in infos})
    ends = dict(zip(clusters, [*clusters[1:], len(text)], strict=True))
    texts = [""] * len(infos)
    by_cluster: dict[int, list[int]] = {}
    for index, info in enumerate(infos):
        by_cluster.setdefault(info.cluster, []).append(index)
    for cluster, members in by_cluster.items():
        left = text[cluster : ends[cluster]]
        if len(members) == 1:
            texts[members[0]] = left
            continue
        for index in members:
            char = nominal.get(infos[index].codepoint, "")
            if char and char in left:
                texts[index] = char
                left = left.replace(char, "", 1)
        rest = next((i for i in members if not texts[i]), None)
        if rest is not None:
            texts[rest] = left
    return texts


@dataclass
class FontSet:
    """The Type 0 fonts of one PDF file: one per face, one subset holding every glyph the
    file's worker lines use."""

    used: dict[tuple[fonts.FontFace, bool], dict[int, str]] = field(default_factory=dict)
    names: dict[tuple[fonts.FontFace, bool], str] = field(default_factory=dict)

    def add(self, shaped: Shaped) -> str:
        """Note SHAPED's glyphs; the resource name its text is drawn with."""
        key = (shaped.face, shaped.bold)
        used = self.used.setdefault(key, {})
        for gid, _x, _y, text in shaped.glyphs:
            if text and gid not in used:
                used[gid] = text
            used.setdefault(gid, "")
        return self.names.setdefault(key, f"/W{len(self.names) + 1}")

    def resources(self, pdf: pikepdf.Pdf) -> Dictionary:
        fonts_dict = Dictionary()
        for key, name in self.names.items():
            fonts_dict[name] = _type0(pdf, *key, self.used[key])
        return fonts_dict


def _type0(pdf: pikepdf.Pdf, face: fonts.FontFace, bold: bool, used: dict[int, str]) -> Any:
    """A Type 0 font with the glyphs USED (gid -> text), Identity-H, glyph ids kept."""
    font, hb_face = _hb_font(face, bold)
    data = _subset(face, bold, tuple(sorted(used)))
    upem = hb_face.upem
    tag = _subset_tag(face, bold, used)
    base = Name(
        "/" + tag + "+" + re.sub(r"[^A-Za-z0-9-]", "", face.family) + ("-Bold" if bold else "")
    )
    extents = font.get_font_extents("ltr")
    k = 1000 / upem
    box, cap_height = _box_and_cap_height(face)
    descriptor = pdf.make_indirect(
        Dictionary(
            Type=Name.FontDescriptor,
            FontName=base,
            Flags=32,  # non-symbolic: the font's own glyphs, by id
            FontBBox=Array([round(v * k) for v in box]),
            ItalicAngle=0,
            Ascent=round(extents.ascender * k),
            Descent=round(extents.descender * k),
            CapHeight=round(cap_height * k),
            StemV=120 if bold else 80,
            FontFile2=pdf.make_stream(data),
        )
    )
    # One run of consecutive ids per entry would be shorter; a card uses 40 glyphs or so.
    widths = Array(
        [
            item
            for gid in sorted(used)
            for item in (gid, Array([round(font.get_glyph_h_advance(gid) * k, 1)]))
        ]
    )
    cid_font = pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.CIDFontType2,
            BaseFont=base,
            CIDSystemInfo=Dictionary(
                Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0
            ),
            FontDescriptor=descriptor,
            W=widths,
            DW=0,
            CIDToGIDMap=Name.Identity,
        )
    )
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type0,
            BaseFont=base,
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([cid_font]),
            ToUnicode=pdf.make_stream(_to_unicode(used)),
        )
    )


@functools.cache
def _box_and_cap_height(face: fonts.FontFace) -> tuple[tuple[int, ...], int]:
    """The font's bounding box (head table) and capital height (OS/2), in font units, for
    the font descriptor a PDF reader uses when it must substitute the font."""
    _font, hb_face = _hb_font(face, False)
    head = bytes(hb_face.reference_table("head").data)
    os2 = bytes(hb_face.reference_table("OS/2").data)
    box = struct.unpack(">hhhh", head[36:44])
    cap_height = struct.unpack(">h", os2[88:90])[0] if len(os2) >= 90 else int(box[3] * 0.7)
    return box, cap_height


def _subset_tag(face: fonts.FontFace, bold: bool, used: dict[int, str]) -> str:
    """Six capitals naming this subset, the same for the same glyphs (repeatable bytes)."""
    digest = zlib.crc32(repr((face.path.name, bold, sorted(used))).encode())
    letters = ""
    for _ in range(6):
        digest, rest = divmod(digest, 26)
        letters += chr(65 + rest)
    return letters


@functools.lru_cache(maxsize=32)  # the same few glyphs again (a second worker named Ana)
def _subset(face: fonts.FontFace, bold: bool, gids: tuple[int, ...]) -> bytes:
    """The glyphs GIDS (and .notdef) only, at their own ids; a variable font pinned to the
    weight drawn, so the file holds plain outlines."""
    _font, hb_face = _hb_font(face, bold)
    plan = hb.SubsetInput()
    plan.sets(hb.SubsetInputSets.GLYPH_INDEX).update({0, *gids})
    plan.sets(hb.SubsetInputSets.UNICODE).clear()
    plan.flags = hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.NO_HINTING
    drop = plan.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for table in DROPPED_TABLES:
        drop.add(int.from_bytes(table.encode("ascii"), "big"))
    if face.variable:
        plan.pin_all_axes_to_default(hb_face)
        plan.pin_axis_location(hb_face, "wght", 700 if bold else 400)
    subset = hb.subset(hb_face, plan)
    if subset is None:
        raise BrochureError(f"{face.path.name}: HarfBuzz could not subset this font")
    return subset.blob.data


def _to_unicode(used: dict[int, str]) -> bytes:
    """The CMap that gives each glyph back its text (a glyph drawn for a cluster gets the
    cluster's text; a mark inside it, nothing)."""
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    pairs = [(gid, text) for gid, text in sorted(used.items()) if text]
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        for gid, text in chunk:
            utf16 = text.encode("utf-16-be").hex().upper()
            lines.append(f"<{gid:04X}> <{utf16}>")
        lines.append("endbfchar")
    lines += ["endcmap CMapName currentdict /CMap defineresource pop end end"]
    return "\n".join(lines).encode("ascii")


# --- drawing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawnLine:
    line: Line
    runs: tuple[Shaped, ...]

    @property
    def width(self) -> float:
        return sum(run.width for run in self.runs)


def shape_card(card: WorkerCard) -> tuple[DrawnLine, ...] | None:
    """Every run of CARD shaped; None if any needs a font this path cannot embed."""
    drawn = []
    for line in card.lines:
        runs = tuple(shape(run, line.kind) for run in line.runs)
        if not all(embeddable(run.face) for run in runs):
            return None
        drawn.append(DrawnLine(line, runs))
    return tuple(drawn)


def line_width(line: Line) -> float:
    """How wide LINE is drawn, in points: what brochure/worker_card.py fits to the card."""
    return sum(shape(run, line.kind).width for run in line.runs)


def text_ops(
    drawn: tuple[DrawnLine, ...], static: StaticCard, fontset: FontSet, tags: list | None
) -> bytes:
    """PDF drawing operators for the worker's lines, in card coordinates. With TAGS (a list
    the caller turns into structure), each run is marked content with its own MCID."""
    ops = []
    for line in drawn:
        slot = static.slots[line.line.kind]
        r, g, b = static.colours[line.line.kind]
        x = slot.x
        spans = []
        for shaped in line.runs:
            name = fontset.add(shaped)
            if tags is not None:
                mcid = tags[0]
                tags[0] += 1
                properties = f"/MCID {mcid}"
                if needs_actual_text(shaped.run.text):
                    properties += " /ActualText " + _pdf_text(shaped.run.text)
                ops.append(f"/Span <<{properties}>> BDC")
                spans.append((mcid, shaped.run))
            ops.append(f"BT {r:.4f} {g:.4f} {b:.4f} rg {name} {shaped.size:g} Tf")
            for gid, gx, gy, _text in shaped.glyphs:
                ops.append(f"1 0 0 1 {x + gx:.3f} {slot.baseline + gy:.3f} Tm <{gid:04X}> Tj")
            ops.append("ET")
            if tags is not None:
                ops.append("EMC")
            x += shaped.width
        if tags is not None:
            tags.append((line.line.kind, spans))
    return "\n".join(ops).encode("latin-1")


def _pdf_text(text: str) -> str:
    """A PDF text string in UTF-16 with its byte order mark, written in hex."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


# --- one worker's file ------------------------------------------------------------------------


def worker_pdf(card: WorkerCard, drawn: tuple[DrawnLine, ...], static: StaticCard) -> bytes:
    """The worker's sheets: the static card imposed, their lines on every card."""
    with pikepdf.open(io.BytesIO(static.sheet(card.worker.quantity))) as pdf:
        sides = sheet_sides(pdf, card.worker.quantity)
        fontset = FontSet()
        front = sides[0].page
        parents = _page_parents(pdf, front)
        tags: list = [len(parents)]
        tagged = text_ops(drawn, static, fontset, tags)
        plain = text_ops(drawn, static, fontset, None)
        resources = Dictionary(Font=fontset.resources(pdf))
        form = pdf.make_stream(
            plain,
            Type=Name.XObject,
            Subtype=Name.Form,
            BBox=Array([0, 0, AVERY_5371.card_w, AVERY_5371.card_h]),
            Resources=resources,
        )
        _tag_lines(pdf, front, parents, tags[1:])
        for side in sides:
            if side.face != 0:
                continue
            _draw_on(pdf, side, form, tagged if side.tagged_first else None, resources)
        return save_sheet(pdf, fix_metadata=False)  # the imposed sheet's metadata is kept


def sheet_sides(pdf: pikepdf.Pdf, quantity: int) -> list[SheetSide]:
    """The sides of an imposed sheet file, as impose_into returned them when it made it."""
    per_sheet = AVERY_5371.columns * AVERY_5371.rows
    sides = []
    for index, count in enumerate(sheet_counts(quantity, per_sheet)):
        fronts = AVERY_5371.front_slots()[:count]
        backs = AVERY_5371.back_slots()[:count]
        sides.append(SheetSide(pdf.pages[2 * index], 0, tuple(fronts), index == 0))
        sides.append(SheetSide(pdf.pages[2 * index + 1], 1, tuple(backs), index == 0))
    return sides


def _page_parents(pdf: pikepdf.Pdf, page: pikepdf.Page) -> Array:
    """The page's entry in the parent tree: structure element by MCID."""
    key = int(page.obj.StructParents)
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for index in range(0, len(nums), 2):
        if int(nums[index]) == key:
            return nums[index + 1]
    raise BrochureError("wallet-card: the card's front page is not in its structure tree")


def _tag_lines(pdf: pikepdf.Pdf, page: pikepdf.Page, parents: Array, lines: list) -> None:
    """A P per line, a Span per run with its language, after the front face's own content."""
    section = _front_section(pdf, page)
    kids = list(section.K) if isinstance(section.K, Array) else [section.K]
    for _kind, spans in lines:
        paragraph = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.P, P=section, Pg=page.obj, K=Array())
        )
        for mcid, run in spans:
            span = pdf.make_indirect(
                Dictionary(
                    Type=Name.StructElem,
                    S=Name.Span,
                    P=paragraph,
                    Pg=page.obj,
                    Lang=String(run.lang),
                    K=Array([mcid]),
                )
            )
            paragraph.K.append(span)
            parents.append(span)  # MCIDs were numbered from the array's length, in order
        kids.append(paragraph)
    section.K = Array(kids)


def _front_section(pdf: pikepdf.Pdf, page: pikepdf.Page) -> Dictionary:
    """The structure element of the card's front face (its <section>)."""
    document = pdf.Root.StructTreeRoot.K
    document = document[0] if isinstance(document, Array) else document
    for kid in document.K if isinstance(document.K, Array) else [document.K]:
        pg = kid.get(Name.Pg) if isinstance(kid, Dictionary) else None
        if pg is not None and pg.objgen == page.obj.objgen:
            return kid
    raise BrochureError("wallet-card: the card's front face has no structure element")


def _draw_on(
    pdf: pikepdf.Pdf, side: Any, form: Any, tagged: bytes | None, resources: Dictionary
) -> None:
    """The worker's lines on every card of SIDE: tagged on its first card when TAGGED is given,
    the form as decoration on the others."""
    page = side.page
    page_resources = page.obj.Resources
    if Name.Font not in page_resources:
        page_resources.Font = Dictionary()
    for name, font in resources.Font.items():
        page_resources.Font[name] = font
    page_resources.XObject[Name.Worker] = form
    ops = []
    for index, (x, y) in enumerate(side.slots):
        if index == 0 and tagged is not None:
            ops.append(f"q 1 0 0 1 {x:.3f} {y:.3f} cm ".encode() + tagged + b" Q")
        else:
            ops.append(f"/Artifact BMC q 1 0 0 1 {x:.3f} {y:.3f} cm /Worker Do Q EMC".encode())
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, Array) else [contents]
    page.obj.Contents = Array([*streams, pdf.make_stream(b"\n".join(ops))])


# --- every worker ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    """One worker's file, and how to draw their cards again in the combined file (None: it
    was made the simple way, so its pages are copied as they are)."""

    file: CardFile
    drawn: tuple[DrawnLine, ...] | None = None
    static: StaticCard | None = None
    quantity: int = 0


def fast_cards(options: Any, roster: Roster) -> list[CardFile]:
    """Every worker's file, the fast way where it can, and the combined file."""
    from brochure.cards import simple_card

    pipeline = make_pipeline(options)
    statics: dict[str, StaticCard] = {}
    made: list[Made] = []
    problems: list[str] = []
    for card in roster.cards:
        edition = roster.editions[card.worker.card_language]
        drawn = shape_card(card) if edition.direction == "ltr" else None
        sheets = len(sheet_counts(card.worker.quantity, 10))
        path = card_path(options.out, card)
        try:
            if drawn is None:
                pdf = simple_card(pipeline, edition, card)
                made.append(Made(CardFile(path, pdf, sheets, 1)))
                continue
            language = card.worker.card_language
            if language not in statics:
                statics[language] = static_card(pipeline, edition, card, options.templates)
            pdf = worker_pdf(card, drawn, statics[language])
        except BrochureError as exc:
            problems += exc.lines
            continue
        static = statics[card.worker.card_language]
        made.append(Made(CardFile(path, pdf, sheets, 1), drawn, static, card.worker.quantity))
    if problems:
        raise BrochureError(problems)
    return [*(m.file for m in made), combined(options.out, made)]


def combined(out: Path, made: list[Made]) -> CardFile:
    """Every worker's sheets in roster order, for the print shop, drawn from one copy of each
    static card and one font subset per face for all the workers' lines. A print file, not
    one to read on screen: untagged (each worker's own file is the tagged one)."""
    pdf = pikepdf.new()
    fontset = FontSet()
    ops = [text_ops(m.drawn, m.static, fontset, None) if m.drawn else b"" for m in made]
    font_resources = pdf.make_indirect(fontset.resources(pdf))
    faces: dict[int, tuple[Any, Any]] = {}
    marks = _marks_ops()
    for item, text in zip(made, ops, strict=True):
        if item.drawn is None:
            with pikepdf.open(io.BytesIO(item.file.pdf)) as source:
                for page in source.pages:
                    pdf.pages.append(page)
            continue
        if id(item.static) not in faces:
            faces[id(item.static)] = _static_forms(pdf, item.static)
        front, back = faces[id(item.static)]
        worker = pdf.make_stream(
            text,
            Type=Name.XObject,
            Subtype=Name.Form,
            BBox=Array([0, 0, AVERY_5371.card_w, AVERY_5371.card_h]),
            Resources=Dictionary(Font=font_resources),
        )
        for count in sheet_counts(item.quantity, AVERY_5371.columns * AVERY_5371.rows):
            _page(pdf, AVERY_5371.front_slots()[:count], {"/C": front, "/W": worker}, marks)
            _page(pdf, AVERY_5371.back_slots()[:count], {"/C": back}, b"")
    _untag(pdf)
    pdf.Root.ViewerPreferences = Dictionary(
        Duplex=Name("/" + SHEET.duplex), PrintScaling=Name("/None")
    )
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, compress_streams=True, min_version="1.7")
    sheets = sum(m.file.sheets for m in made)
    return CardFile(out / FOLDER / COMBINED, buffer.getvalue(), sheets, len(made))


def _static_forms(pdf: pikepdf.Pdf, static: StaticCard) -> tuple[Any, Any]:
    """The static card's front and back as form XObjects of PDF (the untagged copies the
    imposed sheet draws on its other nine cards)."""
    with pikepdf.open(io.BytesIO(static.sheet(AVERY_5371.columns * AVERY_5371.rows))) as sheet:
        forms = [page.obj.Resources.XObject[Name.Card] for page in sheet.pages[:2]]
        copied = [pdf.copy_foreign(form) for form in forms]
    return copied[0], copied[1]


def _page(pdf: pikepdf.Pdf, slots: list, forms: dict[str, Any], marks: bytes) -> None:
    names = " ".join(f"{name} Do" for name in forms)
    ops = [f"q 1 0 0 1 {x:.3f} {y:.3f} cm {names} Q".encode() for x, y in slots]
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, AVERY_5371.sheet_w, AVERY_5371.sheet_h]),
        Resources=Dictionary(XObject=Dictionary({k: v for k, v in forms.items()})),
        Contents=pdf.make_stream(b"\n".join([*ops, marks])),
    )
    pdf.pages.append(pikepdf.Page(page))


def _marks_ops() -> bytes:
    from brochure.impose import _marks

    return _marks(AVERY_5371).encode("ascii")


def _untag(pdf: pikepdf.Pdf) -> None:
    """Pages copied from tagged files keep their StructParents; without a structure tree of
    their own those keys point nowhere, so they go, with the links' ones."""
    for page in pdf.pages:
        if Name.StructParents in page.obj:
            del page.obj[Name.StructParents]
        for annotation in page.obj.get(Name.Annots, []):
            if Name.StructParent in annotation:
                del annotation[Name.StructParent]
