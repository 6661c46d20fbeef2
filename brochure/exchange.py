"""XLIFF 1.2 and PO files: what a translator's CAT tool (Trados, memoQ, Phrase, OmegaT,
Poedit) reads and writes. Written from the strings and their review state; read back into
plain (id, English, translation, done, line) rows for the import to check.

XLIFF is written and read with lxml (parsed without entities or network: a file from outside
must not read local files or expand into gigabytes); PO with polib.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib
from lxml import etree

from brochure.errors import BrochureError
from brochure.review import Record, State

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: XLIFF 1.2 target states a translator sets when the string is done.
DONE_STATES = {"translated", "final", "signed-off"}
#: What we write for each review state (the translator's tool shows it).
XLIFF_STATE = {
    State.REVIEWED: "final",
    State.STALE: "needs-review-translation",
    State.EDITED: "needs-review-translation",
    State.UNREVIEWED: "needs-review-translation",
    State.MISSING: "needs-translation",
}
FORMATS = ("xliff", "po")
INSTRUCTIONS = (
    "Translate each target. Keep it about as long as the English: every string is printed in a "
    "box of fixed size, and the import checks that it fits. Do not type the phone number, "
    "HTML or {{ }} codes: the handouts add the number themselves. Mark each string you have "
    "checked as translated, final or signed-off (PO: not fuzzy)."
)


@dataclass(frozen=True)
class OutUnit:
    """One string as it goes to the translator."""

    id: str
    english: str
    target: str | None
    note: str
    state: State
    record: Record | None  # the review it had: for a stale string, the English it was made for


@dataclass(frozen=True)
class InUnit:
    """One string as it came back."""

    id: str
    english: str
    target: str
    done: bool  # the translator marked it finished (XLIFF state, PO not fuzzy)
    line: int


@dataclass(frozen=True)
class Incoming:
    language: str | None
    units: list[InUnit]


def _note(unit: OutUnit) -> str:
    length = f"The English has {len(unit.english)} characters."
    if unit.state is State.STALE and unit.record:
        return (
            f"{unit.note} {length} The English changed since this was reviewed on "
            f"{unit.record.date:%Y-%m-%d}. It was: {unit.record.english!r}. It is now: "
            f"{unit.english!r}. Please update the translation."
        )
    return f"{unit.note} {length}"


def write_xliff(units: list[OutUnit], language: str, source: str) -> bytes:
    """An XLIFF 1.2 document, one trans-unit per string; stale ones carry the old English and
    the translation reviewed for it as an alt-trans, the way CAT tools show a change."""
    root = etree.Element(f"{{{XLIFF_NS}}}xliff", nsmap={None: XLIFF_NS}, version="1.2")
    file = etree.SubElement(
        root,
        f"{{{XLIFF_NS}}}file",
        original=source,
        datatype="plaintext",
        attrib={"source-language": "en", "target-language": language},
    )
    header = etree.SubElement(file, f"{{{XLIFF_NS}}}header")
    etree.SubElement(header, f"{{{XLIFF_NS}}}note").text = INSTRUCTIONS
    body = etree.SubElement(file, f"{{{XLIFF_NS}}}body")
    for unit in units:
        element = etree.SubElement(body, f"{{{XLIFF_NS}}}trans-unit", id=unit.id)
        element.set(f"{{{XML_NS}}}space", "preserve")
        etree.SubElement(element, f"{{{XLIFF_NS}}}source").text = unit.english
        target = etree.SubElement(element, f"{{{XLIFF_NS}}}target", state=XLIFF_STATE[unit.state])
        target.text = unit.target or ""
        etree.SubElement(element, f"{{{XLIFF_NS}}}note", {"from": "brochure"}).text = _note(unit)
        if unit.state is State.STALE and unit.record:
            alt = etree.SubElement(element, f"{{{XLIFF_NS}}}alt-trans", origin="last review")
            etree.SubElement(alt, f"{{{XLIFF_NS}}}source").text = unit.record.english
            etree.SubElement(alt, f"{{{XLIFF_NS}}}target").text = unit.target or ""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_po(units: list[OutUnit], language: str, source: str) -> bytes:
    """A PO file: msgctxt is the string's id; anything not reviewed is fuzzy, and a stale
    string carries the old English as the previous msgid (`#| msgid`), as gettext does."""
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {
        "Project-Id-Version": source,
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": "brochure",
    }
    catalog.header = INSTRUCTIONS
    for unit in units:
        entry = polib.POEntry(
            msgctxt=unit.id, msgid=unit.english, msgstr=unit.target or "", comment=_note(unit)
        )
        if unit.state is not State.REVIEWED and unit.target:
            entry.flags.append("fuzzy")
        if unit.state is State.STALE and unit.record:
            entry.previous_msgid = unit.record.english
        catalog.append(entry)
    return str(catalog).encode()


def read_incoming(path: Path, name: str, data: bytes) -> Incoming:
    """The units of an XLIFF or PO file, by its content (not its name); a clear error for a
    file that is neither or is broken."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return _read_xliff(name, data)
    return _read_po(name, data)


def _read_xliff(name: str, data: bytes) -> Incoming:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 1
        raise BrochureError(
            f"{name}:{line}: not a complete XLIFF file ({exc.msg}); export it again from your "
            "translation tool, or ask the translator to send the whole file"
        ) from None
    if etree.QName(root).localname != "xliff" or etree.QName(root).namespace not in (
        XLIFF_NS,
        "urn:oasis:names:tc:xliff:document:1.1",
    ):
        raise BrochureError(
            f"{name}:{root.sourceline}: not an XLIFF 1.2 file (root element "
            f"{etree.QName(root).localname!r}); export XLIFF 1.2 from your translation tool"
        )
    ns = {"x": etree.QName(root).namespace}
    files = root.findall("x:file", ns)
    languages = {f.get("target-language") for f in files}
    units = []
    for element in root.iterfind(".//x:trans-unit", ns):
        target = element.find("x:target", ns)
        state = target.get("state", "translated") if target is not None else "new"
        done = state in DONE_STATES or element.get("approved") == "yes"
        units.append(
            InUnit(
                element.get("id") or "",
                _all_text(element.find("x:source", ns)),
                _all_text(target),
                done,
                element.sourceline or 1,
            )
        )
    language = languages.pop() if len(languages) == 1 else None
    return Incoming(language, units)


def _all_text(element: etree._Element | None) -> str:
    """A source or target's text; inline markup (a CAT tool's <g>, <x/>) has no place in a
    handout's plain text, so its presence is kept visible as '<' for the import to refuse."""
    if element is None:
        return ""
    if len(element):
        return "<" + "".join(element.itertext())
    return element.text or ""


def _read_po(name: str, data: bytes) -> Incoming:
    try:
        text = data.decode("utf-8-sig")
        catalog = polib.pofile(text, wrapwidth=0)
    except (UnicodeDecodeError, OSError, ValueError) as exc:
        raise BrochureError(
            f"{name}:1: not a PO or XLIFF file this tool can read ({exc}); export the file "
            "again as PO (UTF-8) or XLIFF 1.2"
        ) from None
    if not len(catalog) and not catalog.metadata:
        raise BrochureError(
            f"{name}:1: has no strings; it is not a PO or XLIFF file exported by "
            "`brochure translations export`"
        )
    units = [
        InUnit(e.msgctxt or "", e.msgid, e.msgstr, "fuzzy" not in e.flags, e.linenum)
        for e in catalog
        if not e.obsolete
    ]
    return Incoming(catalog.metadata.get("Language") or None, units)
