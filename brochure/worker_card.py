"""What an outreach worker's card says beyond the ordinary wallet card, split into runs of text
that each have one language and one font.

Both ways of making the cards use this: the template sets each run in a <span> with its
language and font (WeasyPrint lays it out), and the fast path shapes the same runs with
HarfBuzz in the same font files. Choosing the font here, not leaving it to fontconfig's
fall-back character by character, is what lets the two agree glyph for glyph, and keeps a name
like "Nguyễn" in one typeface instead of switching font at the "ễ".

Line 1: "Ask for Ana (she/her)". Line 2: "Worcester · Habla español, Fala português", each
language in its own words and its own language tag (a screen reader switches voice); line 3,
only when they do not all fit on line 2, the rest of the languages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from brochure import fonts
from brochure.content import Content
from brochure.errors import BrochureError
from brochure.roster import Worker

#: The card's lines, top to bottom, and their type (sizes in wallet-card.css: keep in step).
LINE_KINDS = ("name", "place", "more")
SIZES = {"name": 13.0, "place": 9.5, "more": 9.5}
BOLD = {"name": True, "place": False, "more": False}


@dataclass(frozen=True)
class Run:
    """Text in one language and one font family."""

    text: str
    lang: str
    family: str


@dataclass(frozen=True)
class Line:
    kind: str  # "name" or "place"
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class WorkerCard:
    """A worker's card: which edition's card, and the lines to add to its front."""

    worker: Worker
    lines: tuple[Line, ...]

    @property
    def where(self) -> str:
        return self.worker.where

    def context(self) -> dict:
        """What the wallet-card template gets as `worker`."""
        return {"lines": self.lines, "where": self.where}


def font_stacks(tokens_css: Path) -> dict[str, tuple[str, ...]]:
    """The body font of each language as templates/css/tokens.css sets it ("" is the default):
    read from there so the card's runs follow the designers' choice."""
    text = re.sub(r"/\*.*?\*/", "", tokens_css.read_text(encoding="utf-8"), flags=re.S)
    stacks: dict[str, tuple[str, ...]] = {}
    for selectors, value in re.findall(r"([^{}]+)\{[^}]*?--font-body:\s*([^;]+);", text):
        families = tuple(f.strip().strip("\"'") for f in value.split(","))
        for selector in (s.strip() for s in selectors.split(",")):
            if selector == ":root" or re.fullmatch(r":lang\([\w-]+\)", selector):
                key = "" if selector == ":root" else selector[len(":lang(") : -1]
                stacks[key] = tuple(f for f in families if f not in {"sans-serif", "serif"})
    return stacks


@dataclass(frozen=True)
class CardWords:
    """Everything needed to word any worker's card: each edition's words and the fonts."""

    editions: dict[str, Content]  # language -> content (language editions only)
    stacks: dict[str, tuple[str, ...]]
    coverage: fonts.Coverage

    def stack(self, language: str) -> tuple[str, ...]:
        return self.stacks.get(language, self.stacks.get(""))

    def run(self, text: str, language: str, card_language: str, where: str, column: str) -> Run:
        """TEXT in the first family (its language's, then the card's, then any) that has all
        of it; the roster check already refused characters no font has."""
        prefer = (*self.stack(language), *self.stack(card_language))
        family = self.coverage.family_for(text, prefer)
        if family is None:
            raise BrochureError(
                f"{where}: {column}: no single font has every character of {text!r}; "
                "write it in one script"
            )
        return Run(text, language, family)

    def card(self, worker: Worker, width: Measure) -> WorkerCard:
        """WORKER's lines, in the card's language: "Ask for <name> (pronouns)", then the city
        and the languages, on a second line and, when they do not fit, a third. Where the
        third line starts is decided here, by measuring with the same shaping the fast way
        draws with, so both ways print the same lines. A name or a list of languages too
        wide for the card is a problem in the roster, named by its line."""
        card_language = worker.card_language
        words = self.editions[card_language].card.worker
        if words is None:
            raise BrochureError(
                f"{worker.where}: card_language: the {card_language} edition has no "
                "card.worker words (ask_for, speaks); add them to its file"
            )
        where, lang = worker.where, card_language
        name = [
            self.run(f"{words.ask_for} ", lang, lang, where, "card_language"),
            self.run(worker.first_name, lang, lang, where, "first_name"),
        ]
        if worker.pronouns:
            name.append(self.run(f" ({worker.pronouns})", lang, lang, where, "pronouns"))
        name_line = Line("name", _merged(name))
        problems = _too_wide(name_line, width, where, "first_name", NAME_HINT)
        place = [self.run(f"{worker.city_name} · ", "en", lang, where, "city")]
        more: list[Run] = []
        for spoken in worker.languages:
            speaks = self.editions[spoken].card.worker
            if speaks is None:
                raise BrochureError(
                    f"{worker.where}: languages: the {spoken} edition has no "
                    "card.worker.speaks; add it to its file"
                )
            phrase = self.run(speaks.speaks, spoken, lang, where, "languages")
            if not more and _fits(Line("place", _merged([*place, phrase])), width):
                place.append(phrase)
                place.append(self.run(", ", lang, lang, where, "languages"))
                continue
            if not more and len(place) > 1:  # the list goes on below: end the line with ","
                place[-1] = self.run(",", lang, lang, where, "languages")
            more += [phrase, self.run(", ", lang, lang, where, "languages")]
        place = _trimmed(place, worker.city_name, lang, self, where)
        lines = [name_line, Line("place", _merged(place))]
        problems += _too_wide(lines[-1], width, where, "languages", LANGUAGES_HINT)
        if more:
            lines.append(Line("more", _merged(more[:-1])))
            problems += _too_wide(lines[-1], width, where, "languages", LANGUAGES_HINT)
        if problems:
            raise BrochureError(problems)
        return WorkerCard(worker, tuple(lines))


#: How wide a line is, in points, as the fast way shapes it (brochure/cardtext.line_width).
Measure = Callable[[Line], float]
#: The room for a worker line: the card (3.5 in) less the 0.25 in margin each side
#: (wallet-card.css: .worker, left and right var(--safe)).
ROOM = (3.5 - 2 * 0.25) * 72
NAME_HINT = "a short first name, or leave the pronouns out"
LANGUAGES_HINT = "fewer languages"


def _fits(line: Line, width: Measure) -> bool:
    return width(line) <= ROOM


def _too_wide(line: Line, width: Measure, where: str, column: str, hint: str) -> list[str]:
    over = width(line) - ROOM
    if over <= 0:
        return []
    return [
        f"{where}: {column}: {line.text!r} is {over / 72:.2f} in too wide for the card; "
        f"shorten it ({hint})"
    ]


def _trimmed(place: list[Run], city: str, lang: str, words: CardWords, where: str) -> list[Run]:
    """The second line without its trailing separator: "Worcester · Habla español"; the
    city alone when every language went to the third line."""
    if len(place) == 1:
        return [words.run(city, "en", lang, where, "city")]
    last = place[-1]
    if last.text == ", ":
        return place[:-1]
    return place


def _merged(runs: list[Run]) -> tuple[Run, ...]:
    """Neighbouring runs with the same language and font become one, as a text shaper sees
    them (one item), so both paths kern across the join the same way."""
    out: list[Run] = []
    for run in runs:
        if out and (out[-1].lang, out[-1].family) == (run.lang, run.family):
            out[-1] = Run(out[-1].text + run.text, run.lang, run.family)
        else:
            out.append(run)
    return tuple(out)
