"""Arabic that reads back: every drawn glyph says which letters it stands for.

WeasyPrint writes one Unicode text per glyph (ToUnicode), taken the first time it draws the
glyph. Noto Sans Arabic draws many letters as a dotless shape shared by several letters plus
separate dots, so that one text is wrong wherever the shape stands for another letter. An
/ActualText around each line gives the words back to a reader that honours it, but poppler
(`pdftotext`) places /ActualText left to right and so reverses every Arabic word.

So, after WeasyPrint has written the file, each Arabic word of a line is shaped again with
HarfBuzz and the same font (the glyphs are the same: tests/test_languages holds this), and each
glyph that stands for other letters than its code says gets a code of its own: the font's
CIDToGIDMap points the new code at the same glyph, its width is copied and its ToUnicode entry
is the letters of its cluster, in drawing order (right to left, as readers expect of a glyph
that stands for several letters). Dots and other marks drawn on a letter map to no text:
their letters are in their cluster's text. A number is a word drawn left to right, as Pango
draws it inside Arabic. The line's /ActualText,
now redundant, is dropped, so readers take the letters from the glyphs in the order a reader of
right-to-left text expects.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

#: Letters, marks and punctuation of the Arabic script (basic, supplement, extended-A,
#: presentation forms).
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+")
#: Arabic-Indic and Persian digits with their decimal and thousands separators: a number is
#: drawn left to right inside right-to-left text, so it is a word of its own.
DIGITS = "\u0660-\u0669\u066b\u066c\u06f0-\u06f9"
#: Invisible characters content may hold (content.ALLOWED_FORMAT): they change how letters
#: join or where a line may break, draw nothing, and belong to the word around them.
JOINERS = "\u200c\u200d\u00ad"
#: The runs of one direction a line is drawn in: numbers, and words (letters and joiners).
TOKENS = re.compile(
    rf"[{DIGITS}]+|(?:(?![{DIGITS}])[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
    rf"\ufb50-\ufdff\ufe70-\ufeff{JOINERS}])+"
)
#: The fonts whose glyphs are remapped, by the name WeasyPrint gives them in the PDF.
RTL_FAMILIES = {"Noto-Sans-Arabic": "Noto Sans Arabic"}


@dataclass
class Drawn:
    """One glyph code in a show-text operand: where it is, and in which font."""

    op: int  # index of the operator in the page's content
    item: int  # index of the string in a TJ array (0 for Tj)
    at: int  # byte offset of the 2-byte code in the string
    font: Any  # the Type0 font dictionary
    code: int


@dataclass
class FontCodes:
    """The codes of one Type0 font: each code's text, and the codes handed out."""

    font: Any
    text: dict[int, str]
    widths: dict[int, Any]
    new: dict[tuple[int, str], int] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def read(cls, font: Any) -> FontCodes:
        text = _read_to_unicode(font.ToUnicode.read_bytes())
        return cls(font, text, _read_widths(font.DescendantFonts[0].W))

    def code_for(self, glyph: int, text: str) -> int:
        """The glyph's own code when its text is right, else one made for this glyph and text.
        A mark drawn on a letter (a dot, a vowel sign) gets a code that stands for no text:
        its letter is in its cluster's text. The glyph's own code keeps its text, for the
        places that draw the mark alone."""
        if self.text.get(glyph) == text:
            return glyph
        if (glyph, text) not in self.new:
            code = max(*self.text, *self.widths, *self.new.values(), 0) + 1
            self.new[(glyph, text)] = code
            self.text[code] = text
            self.changed = True
        return self.new[(glyph, text)]

    def write(self, pdf: Any) -> None:
        """Point the new codes at their glyphs, give them widths, and write every code's text."""
        import pikepdf

        if not self.changed:
            return
        cid_font = self.font.DescendantFonts[0]
        if self.new:
            top = max(self.new.values())
            to_glyph = bytearray(b"".join(c.to_bytes(2, "big") for c in range(top + 1)))
            for (glyph, _text), code in self.new.items():
                to_glyph[2 * code : 2 * code + 2] = glyph.to_bytes(2, "big")
                cid_font.W.append(code)
                cid_font.W.append(pikepdf.Array([self.widths.get(glyph, 0)]))
            cid_font.CIDToGIDMap = pdf.make_stream(bytes(to_glyph))
        self.font.ToUnicode = pdf.make_stream(_to_unicode(self.text))


def _read_to_unicode(data: bytes) -> dict[int, str]:
    """The bfchar entries WeasyPrint writes: one code, one text."""
    found = {}
    for code, text in re.findall(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]*)>", data):
        found[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    return found


def _to_unicode(text: dict[int, str]) -> bytes:
    """A ToUnicode CMap: the codespace WeasyPrint declares, then one bfchar entry per code."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <ffff>",
        "endcodespacerange",
    ]
    items = sorted(text.items())
    for start in range(0, len(items), 100):  # a CMap section holds at most 100 entries
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar")
        lines += [f"<{code:04x}> <{t.encode('utf-16-be').hex()}>" for code, t in batch]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode()


def _read_widths(array: Any) -> dict[int, Any]:
    """A CID font's /W array, in its `first [w1 w2 ...]` form, as code -> width."""
    widths = {}
    items = list(array)
    for first, run in zip(items[::2], items[1::2], strict=True):
        for offset, width in enumerate(run):
            widths[int(first) + offset] = width
    return widths


@cache
def _harfbuzz(family: str) -> Any:
    import fontpkg
    import uharfbuzz as hb

    (font_file,) = fontpkg.family(family).files
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(font_file.path))))


@cache
def glyph_texts(family: str, word: str) -> tuple[tuple[int, str], ...]:
    """WORD's glyphs as HarfBuzz draws them (left to right), each with the text it stands for:
    a cluster's letters (reversed, in a right-to-left word) on its first glyph that is not a
    mark; nothing on the rest. Joiners draw nothing (as Pango draws them); a soft hyphen
    that did not break the line is not text."""
    import uharfbuzz as hb

    font = _harfbuzz(family)
    buffer = hb.Buffer()
    buffer.add_str(word)
    buffer.guess_segment_properties()
    rtl = not re.fullmatch(f"[{DIGITS}]+", word)
    buffer.direction = "rtl" if rtl else "ltr"
    buffer.flags = hb.BufferFlags.REMOVE_DEFAULT_IGNORABLES
    hb.shape(font, buffer, {})
    infos = buffer.glyph_infos
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(word)], strict=True))
    owner: dict[int, int] = {}
    for index, info in enumerate(infos):
        is_mark = font.face.get_layout_glyph_class(info.codepoint) == hb.OTLayoutGlyphClass.MARK
        if not is_mark:
            owner.setdefault(info.cluster, index)
    glyphs = []
    for index, info in enumerate(infos):
        first = owner.get(info.cluster)
        if first is None:  # a cluster of marks only: its first glyph carries the text
            first = owner.setdefault(info.cluster, index)
        text = (
            word[info.cluster : ends[info.cluster]].replace("\u00ad", "") if index == first else ""
        )
        glyphs.append((info.codepoint, text[::-1] if rtl else text))
    return tuple(glyphs)


def _drawn_in_spans(content: list[Any], fonts: Any) -> Iterator[tuple[int, str, list[Drawn]]]:
    """Each marked-content span with an /ActualText: its operator index, text, glyph codes."""
    import pikepdf

    font = None
    span: tuple[int, str, list[Drawn]] | None = None
    for index, (operands, operator) in enumerate(content):
        name = str(operator)
        if name == "Tf":
            font = fonts.get(str(operands[0]))
        elif name == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
            actual = operands[1].get("/ActualText")
            if actual is not None:
                span = (index, str(actual), [])
        elif name == "EMC" and span is not None:
            yield span
            span = None
        elif name in ("TJ", "Tj") and span is not None and font is not None:
            strings = operands[0] if name == "TJ" else [operands[0]]
            for item, part in enumerate(strings):
                if isinstance(part, pikepdf.String):
                    data = bytes(part)
                    for at in range(0, len(data) - 1, 2):
                        code = int.from_bytes(data[at : at + 2], "big")
                        span[2].append(Drawn(index, item, at, font, code))


def _family(font: Any) -> str | None:
    name = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
    return next((f for prefix, f in RTL_FAMILIES.items() if name.startswith(prefix)), None)


def _match(text: str, drawn: list[Drawn]) -> list[tuple[Drawn, str]] | None:
    """Each Arabic word of TEXT found in the drawn glyphs, right to left (so, in drawing
    order, last word first); None when a word is not found as HarfBuzz shapes it."""
    found: list[tuple[Drawn, str]] = []
    start = 0
    for word in reversed(TOKENS.findall(text)):
        for index in range(start, len(drawn)):
            family = _family(drawn[index].font)
            if family is None:
                continue
            glyphs = glyph_texts(family, word)
            window = drawn[index : index + len(glyphs)]
            if [d.code for d in window] == [g for g, _ in glyphs]:
                found += [(d, t) for d, (_, t) in zip(window, glyphs, strict=True)]
                start = index + len(glyphs)
                break
        else:
            return None
    return found


def _replace_code(content: list[Any], drawn: Drawn, code: int) -> None:
    import pikepdf

    operands, operator = content[drawn.op]
    holder = operands[0] if str(operator) == "TJ" else operands
    index = drawn.item if str(operator) == "TJ" else 0
    data = bytearray(bytes(holder[index]))
    data[drawn.at : drawn.at + 2] = code.to_bytes(2, "big")
    holder[index] = pikepdf.String(bytes(data))


@dataclass
class Readback:
    """What one file needed: lines given their letters, and lines left to /ActualText."""

    lines: int = 0
    unmatched: list[str] = field(default_factory=list)


def arabic_reads_back(pdf_bytes: bytes) -> tuple[bytes, Readback]:
    """The same PDF with every Arabic line's glyphs mapped to their letters (see above)."""
    import pikepdf

    result = Readback()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        fonts = {
            font.objgen: font
            for page in pdf.pages
            for font in page.Resources.get("/Font", {}).values()
            if _family(font)
        }
        if not fonts:
            return pdf_bytes, result
        codes = {key: FontCodes.read(font) for key, font in fonts.items()}
        for page in pdf.pages:
            page_fonts = dict(page.Resources.get("/Font", {}).items())
            content = pikepdf.parse_content_stream(page)
            changed = False
            for bdc, text, drawn in _drawn_in_spans(content, page_fonts):
                if not ARABIC.search(text):
                    continue
                matched = _match(text, drawn)
                if matched is None:
                    result.unmatched.append(text)
                    continue
                for glyph, glyph_text in matched:
                    font_codes = codes[glyph.font.objgen]
                    new = font_codes.code_for(glyph.code, glyph_text)
                    if new != glyph.code:
                        _replace_code(content, glyph, new)
                del content[bdc][0][1]["/ActualText"]
                result.lines += 1
                changed = True
            if changed:
                page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(content))
        for font_codes in codes.values():
            font_codes.write(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue(), result
