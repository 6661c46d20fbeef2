"""The fast way to make a thousand workers' cards: lay out the card once, draw only the names.

Variable-data printing (PDF/VT) in small. For each card language WeasyPrint lays out the card
once without the worker's lines (the static layer: number, QR code, words, draft marks), and
once with a probe worker to learn where its two lines sit (`Slots`). Then, per worker:

- the static card is imposed on the worker's sheets as the ordinary card sheet is (its first
  card the tagged page itself, the others one form XObject drawn as decoration);
- the worker's runs are shaped by HarfBuzz in the very font files WeasyPrint uses
  (brochure/worker_card.py chose them), and drawn as real text: a Type 0 font per face, one
  subset per file (HarfBuzz's subsetter, glyph ids kept, variable fonts pinned to the weight),
  with a ToUnicode map so `pdftotext` and a search read the words back;
- on the first card the lines are tagged: a P per line, a Span per run with its language
  (and /ActualText for scripts whose glyphs alone do not give the words back), marked content
  with MCIDs; on every other card they are one form XObject drawn as an artifact.

A card this path cannot draw (a right-to-left card, or a face in a font format it does not
embed: Noto Sans CJK is CFF) is made the simple way instead, so every worker still gets a
correct card; `FastReport.simple` names them.
"""

from __future__ import annotations

import functools
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import uharfbuzz as hb
from pikepdf import Array, Dictionary, Name, String

from brochure import fonts
from brochure.cards import CARD, SHEET, CardFile, Roster, card_path, combine, make_pipeline
from brochure.documents import PT_PER_IN
from brochure.editions import Edition
from brochure.errors import BrochureError
from brochure.impose import AVERY_5371, impose_into, save_sheet, sheet_counts
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


@dataclass(frozen=True)
class StaticCard:
    """One card language's static card and where its worker lines go."""

    pdf: bytes
    slots: dict[str, LineSlot]
    colours: dict[str, tuple[float, float, float]]


def static_card(pipeline: Any, edition: Edition, probe: WorkerCard, templates: Path) -> StaticCard:
    """The card without the worker's lines (drawn later), and where those lines sit: read from
    WeasyPrint's layout of the same card with PROBE's lines. The lines' strut sets their
    baseline whatever fonts the runs use (wallet-card.css), so one probe serves every worker."""
    pdf, _reads = pipeline.lay_out(edition, CARD, {"worker": {"lines": (), "where": ""}})
    from brochure.pipeline import template_context

    context = template_context(edition, CARD, pipeline.settings.profile) | {
        "worker": probe.context()
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
            slots[kind] = LineSlot(
                box.content_box_x() * PX, CARD_H - baseline * PX, box.width * PX
            )
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
    return {"name": rgb["brand"], "place": rgb["ink"]}  # type: ignore[dict-item]


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


def shape(run: Run, kind: str) -> Shaped | None:
    """RUN shaped as Pango shapes it: its language, its script's direction, default features.
    None when its font cannot be embedded here."""
    bold = BOLD[kind]
    face = _face_for(run.family, bold)
    if face is None or not embeddable(face):
        return None
    font, hb_face = _hb_font(face, bold)
    buffer = hb.Buffer()
    buffer.add_str(run.text)
    buffer.guess_segment_properties()
    buffer.language = run.lang
    hb.shape(font, buffer)
    scale = SIZES[kind] / hb_face.upem
    clusters = sorted({info.cluster for info in buffer.glyph_infos})
    ends = dict(zip(clusters, [*clusters[1:], len(run.text)], strict=True))
    glyphs = []
    pen = 0.0
    seen: set[int] = set()
    for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        text = "" if info.cluster in seen else run.text[info.cluster : ends[info.cluster]]
        seen.add(info.cluster)
        glyphs.append(
            (info.codepoint, (pen + pos.x_offset) * scale, pos.y_offset * scale, text)
        )
        pen += pos.x_advance
    return Shaped(run, face, bold, SIZES[kind], tuple(glyphs), pen * scale)


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
    base = Name("/" + tag + "+" + re.sub(r"[^A-Za-z0-9-]", "", face.family) + ("-Bold" if bold else ""))
    extents = font.get_font_extents("ltr")
    k = 1000 / upem
    descriptor = pdf.make_indirect(
        Dictionary(
            Type=Name.FontDescriptor,
            FontName=base,
            Flags=32,
            FontBBox=Array([-1000, round(extents.descender * k), 2000, round(extents.ascender * k)]),
            ItalicAngle=0,
            Ascent=round(extents.ascender * k),
            Descent=round(extents.descender * k),
            CapHeight=round(extents.ascender * k * 0.7),
            StemV=120 if bold else 80,
            FontFile2=pdf.make_stream(data),
        )
    )
    widths = Array()
    for gid in sorted(used):
        widths.extend([gid, Array([round(font.get_glyph_h_advance(gid) * k, 1)])])
    cid_font = pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.CIDFontType2,
            BaseFont=base,
            CIDSystemInfo=Dictionary(Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0),
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


def _subset_tag(face: fonts.FontFace, bold: bool, used: dict[int, str]) -> str:
    """Six capitals naming this subset, the same for the same glyphs (repeatable bytes)."""
    digest = zlib.crc32(repr((face.path.name, bold, sorted(used))).encode())
    letters = ""
    for _ in range(6):
        digest, rest = divmod(digest, 26)
        letters += chr(65 + rest)
    return letters


@functools.lru_cache(maxsize=4096)
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
        runs = [shape(run, line.kind) for run in line.runs]
        if any(run is None for run in runs):
            return None
        drawn.append(DrawnLine(line, tuple(runs)))  # type: ignore[arg-type]
    return tuple(drawn)


def check_fit(card: WorkerCard, drawn: tuple[DrawnLine, ...], static: StaticCard) -> list[str]:
    """A line wider than the card: say which roster line and by how much."""
    problems = []
    for line in drawn:
        room = static.slots[line.line.kind].width
        over = line.width - room
        if over > 0.5:
            column = "first_name" if line.line.kind == "name" else "languages"
            problems.append(
                f"{card.where}: {column}: {line.line.text!r} is {over / PT_PER_IN:.2f} in too "
                f"wide for the card; shorten it"
                + (" (a short first name, or leave the pronouns out)" if column == "first_name" else " (fewer languages)")
            )
    return problems


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
    with pikepdf.open(io.BytesIO(static.pdf)) as pdf:
        sides = impose_into(pdf, SHEET.duplex, AVERY_5371, card.worker.quantity)
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
        _tag_lines(pdf, front, parents, tags[1:], card)
        for side in sides:
            if side.face != 0:
                continue
            _draw_on(pdf, side, form, tagged if side.tagged_first else None, resources)
        return save_sheet(pdf)


def _page_parents(pdf: pikepdf.Pdf, page: pikepdf.Page) -> Array:
    """The page's entry in the parent tree: structure element by MCID."""
    key = int(page.obj.StructParents)
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for index in range(0, len(nums), 2):
        if int(nums[index]) == key:
            return nums[index + 1]
    raise BrochureError("wallet-card: the card's front page is not in its structure tree")


def _tag_lines(
    pdf: pikepdf.Pdf, page: pikepdf.Page, parents: Array, lines: list, card: WorkerCard
) -> None:
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
        if isinstance(kid, Dictionary) and kid.get(Name.Pg) is not None:
            if kid.Pg.objgen == page.obj.objgen:
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


def fast_cards(options: Any, roster: Roster) -> list[CardFile]:
    """Every worker's file, the fast way where it can, and the combined file."""
    from brochure.cards import simple_card

    pipeline = make_pipeline(options)
    statics: dict[str, StaticCard] = {}
    made: list[CardFile] = []
    problems: list[str] = []
    for card in roster.cards:
        edition = roster.editions[card.worker.card_language]
        drawn = shape_card(card) if edition.direction == "ltr" else None
        try:
            if drawn is None:
                pdf = simple_card(pipeline, edition, card)
            else:
                language = card.worker.card_language
                if language not in statics:
                    statics[language] = static_card(pipeline, edition, card, options.templates)
                static = statics[language]
                fit = check_fit(card, drawn, static)
                if fit:
                    problems += fit
                    continue
                pdf = worker_pdf(card, drawn, static)
        except BrochureError as exc:
            problems += exc.lines
            continue
        sheets = len(sheet_counts(card.worker.quantity, 10))
        made.append(CardFile(card_path(options.out, card), pdf, sheets, 1))
    if problems:
        raise BrochureError(problems)
    return [*made, combine(options.out, made)]
