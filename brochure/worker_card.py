"""What an outreach worker's card says beyond the ordinary wallet card, split into runs of text
that each have one language and one font.

Both ways of making the cards use this: the template sets each run in a <span> with its
language and font (WeasyPrint lays it out), and the fast path shapes the same runs with
HarfBuzz in the same font files. Choosing the font here, not leaving it to fontconfig's
fall-back character by character, is what lets the two agree glyph for glyph, and keeps a name
like "Nguyễn" in one typeface instead of switching font at the "ễ".

Line 1: "Ask for Ana (she/her)". Line 2: "Worcester · Habla español, fala português", each
language in its own words and its own language tag (a screen reader switches voice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from brochure import fonts
from brochure.content import Content
from brochure.errors import BrochureError
from brochure.roster import Worker

#: The card's lines, top to bottom, and their type (sizes in wallet-card.css: keep in step).
LINE_KINDS = ("name", "place")
SIZES = {"name": 13.0, "place": 9.5}
BOLD = {"name": True, "place": False}


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
    text = tokens_css.read_text(encoding="utf-8")
    stacks: dict[str, tuple[str, ...]] = {}
    for selector, value in re.findall(
        r"(:root|:lang\([\w-]+\))\s*\{[^}]*?--font-body:\s*([^;]+);", text
    ):
        key = "" if selector == ":root" else selector[len(":lang(") : -1]
        families = tuple(f.strip().strip("\"'") for f in value.split(","))
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

    def card(self, worker: Worker) -> WorkerCard:
        """The two lines of WORKER's card, in the card's language."""
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
        place = [self.run(worker.city_name, "en", lang, where, "city")]
        for index, spoken in enumerate(worker.languages):
            speaks = self.editions[spoken].card.worker
            if speaks is None:
                raise BrochureError(
                    f"{worker.where}: languages: the {spoken} edition has no card.worker.speaks; "
                    "add it to its file"
                )
            separator = " · " if index == 0 else ", "
            place.append(self.run(separator, lang, lang, where, "languages"))
            place.append(self.run(speaks.speaks, spoken, lang, where, "languages"))
        lines = (Line("name", _merged(name)), Line("place", _merged(place)))
        return WorkerCard(worker, lines)


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
