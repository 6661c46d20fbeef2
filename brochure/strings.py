"""The strings a translator translates: every text field of content.yml, each with a stable id
(its field path, `trifold.cover.headline`), the English, the current translation and a note
saying where it is printed. Export, import, status and the build's review rules all count the
same strings, from this one walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from brochure.documents import COMMON_CONTENT, DOCUMENTS
from brochure.source import Loc

#: Fields that are not words to translate: set once in content.yml, or data, not text.
NOT_TRANSLATED = {
    ("language",),
    ("revised",),
    ("translations",),
    ("city_editions",),
    ("draft_band",),
    ("draft_word",),
    ("program", "phone"),
    ("review",),
    ("crisis", "show"),
    ("crisis", "numbers"),
}

#: Where each part of content.yml is printed, for the translator's note (first match wins).
#: Crisis lines: the number's name in braces and the [ ] stay exactly as in the English.
KEEP_MARKS = (
    "Keep {name} as it is (the number is printed there) and the [ ] around the words that "
    "offer a text message."
)
WHERE = (
    (("card",), "Printed on the wallet card (3.5 x 2 in): keep it as short as the English."),
    (
        ("crisis", "card"),
        "Crisis line on the wallet card's back (3.5 x 2 in): keep it as short as the English. "
        + KEEP_MARKS,
    ),
    (
        ("crisis", "lines"),
        "Crisis and after-hours lines, in a small box on the tri-fold and the FAQ. " + KEEP_MARKS,
    ),
    (("crisis",), "Heading of the crisis and after-hours box on the tri-fold and the FAQ."),
    (("trifold", "cover"), "Tri-fold brochure, front cover: the first thing a person reads."),
    (("trifold", "flap"), "Tri-fold brochure, tuck-in flap panel."),
    (
        ("trifold", "back", "city_lead"),
        "How each city's paragraph on the tri-fold's back cover starts, in bold (Worcester.). "
        "Keep {name}; after it, the punctuation your language puts after a short heading at "
        "the start of a paragraph.",
    ),
    (("trifold", "back"), "Tri-fold brochure, back cover: how to reach the program."),
    (("trifold",), "Tri-fold brochure, inside panels."),
    (("faq", "page_label"), "Page numbers at the foot of each page of the large-print FAQ."),
    (("faq",), "One-page FAQ."),
    (("cities",), "A city's paragraph on the tri-fold's back cover."),
    (("closing",), "Closing lines on the tri-fold's back cover and the FAQ."),
    (
        ("program", "place"),
        "How a name and the state are written together: a city's name on its tri-fold's "
        "front cover (Worcester, Massachusetts), the program's name on the large-print FAQ. "
        "Keep {name} and {region} as they are; put them in the order your language writes "
        "an address, with its own comma or none.",
    ),
    (("program",), "Program name: on every handout."),
)
KIND = {
    "heading": "A heading.",
    "question": "A question, printed as a heading.",
    "quote": "A quotation set apart in bold.",
    "items": "One item of a bulleted list.",
}


@dataclass(frozen=True)
class Unit:
    """One string: its id, where it sits in the YAML, the English and the translation."""

    id: str
    loc: Loc
    english: str
    target: str | None  # None: the translation file does not have this field
    note: str


def unit_id(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def text_units(english: Any, translated: Any) -> list[Unit]:
    """Every translatable string of ENGLISH (content.yml's data), with TRANSLATED's text for it
    (a translation file's data, or None)."""
    return [
        Unit(unit_id(loc), loc, text, _text_at(translated, loc), note_for(loc))
        for loc, text in _walk(english, ())
    ]


def _walk(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if loc in NOT_TRANSLATED:
        return
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*loc, index))


def _text_at(data: Any, loc: Loc) -> str | None:
    for part in loc:
        present = (
            part < len(data)
            if isinstance(data, list) and isinstance(part, int)
            else isinstance(data, dict) and part in data
        )
        if not present:
            return None
        data = data[part]
    return data if isinstance(data, str) else None


def note_for(loc: Loc) -> str:
    """A line of context for the translator: which handout, which part, what kind of text."""
    where = next((text for prefix, text in WHERE if loc[: len(prefix)] == prefix), "")
    names = [part for part in loc if isinstance(part, str)]
    kind = KIND.get(names[-1], "") if names else ""
    if "items" in names[-1:] or (len(loc) > 1 and loc[-2] == "items"):
        kind = KIND["items"]
    return " ".join(part for part in (where, kind, printed_on(loc)) if part)


def printed_on(loc: Loc) -> str:
    """The handouts that show the field, from each document's declared reads."""
    if not loc or loc[0] in COMMON_CONTENT:
        return ""
    titles = [spec.title for spec in DOCUMENTS.values() if spec.template and spec.shows(loc)]
    return f"Printed on: {', '.join(titles)}." if titles else ""
