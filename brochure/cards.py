"""`brochure cards roster.csv`: every outreach worker's own wallet cards, 10 to a sheet.

Per worker, `cards/<name>-<city>.pdf` (as many Avery 5371/8371 sheets as their quantity
needs, fronts then mirrored backs, like wallet-card-sheet.pdf), and `cards/all-cards.pdf`,
every worker's sheets in roster order, for the print shop.

Two ways to make the same cards:
- simple (`--simple`): WeasyPrint lays out every worker's card (about 60 ms a card), which is
  then imposed like the ordinary card sheet. It is the reference the fast way is tested
  against, and the bench's baseline.
- fast (default, brochure/cardtext.py): WeasyPrint lays out each card language's card once,
  without the worker's lines; every card reuses it and only the worker's two lines are drawn,
  shaped by HarfBuzz in the same fonts.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from brochure import fonts
from brochure.documents import DOCUMENTS, OFFICE
from brochure.editions import Edition, load_editions
from brochure.errors import BrochureError
from brochure.impose import impose_cards
from brochure.options import BuildOptions
from brochure.roster import RosterRules, load_roster
from brochure.worker_card import CardWords, WorkerCard, font_stacks

FOLDER = "cards"
COMBINED = "all-cards.pdf"
CARD = DOCUMENTS["wallet-card"]
SHEET = DOCUMENTS["wallet-card-sheet"]


@dataclass(frozen=True)
class CardFile:
    """One PDF made: where it goes, its bytes, and how many sheets (pairs of pages) it has."""

    path: Path
    pdf: bytes
    sheets: int
    workers: int


@dataclass
class Roster:
    """A validated roster with everything needed to word and draw its cards."""

    cards: list[WorkerCard]
    editions: dict[str, Edition]  # language editions by language
    every_edition: list[Edition]  # city editions too: the catalog lists them all


def read_roster(options: BuildOptions, roster: Path) -> Roster:
    """Load the content and the roster; every problem in either is reported at once."""
    every_edition = load_editions(options.content)
    editions = {e.language: e for e in every_edition if e.city is None}
    english = next(iter(editions.values())).content
    rules = RosterRules.from_content(english)
    coverage = fonts.coverage()
    workers = load_roster(roster, rules, coverage)
    words = CardWords(
        {language: e.content for language, e in editions.items()},
        font_stacks(options.templates / "css" / "tokens.css"),
        coverage,
    )
    problems: list[str] = []
    cards = []
    from brochure.cardtext import line_width

    for worker in workers:
        try:
            cards.append(words.card(worker, line_width))
        except BrochureError as exc:
            problems += exc.lines
    if problems:
        raise BrochureError(problems)
    return Roster(cards, editions, every_edition)


def card_path(out: Path, card: WorkerCard) -> Path:
    return out / FOLDER / f"{card.worker.slug}.pdf"


def make_pipeline(options: BuildOptions):
    from brochure.pipeline import Pipeline, Settings

    settings = Settings(
        options.templates, options.project_dir, OFFICE, uuid.uuid4().hex, thumbnails=False
    )
    return Pipeline(settings)


def simple_cards(options: BuildOptions, roster: Roster) -> list[CardFile]:
    """Every worker's sheets, each card laid out by WeasyPrint; then the combined file."""
    pipeline = make_pipeline(options)
    made = []
    problems: list[str] = []
    for card in roster.cards:
        try:
            pdf = simple_card(pipeline, roster.editions[card.worker.card_language], card)
        except BrochureError as exc:
            problems += exc.lines
            continue
        sheets = -(-card.worker.quantity // 10)
        made.append(CardFile(card_path(options.out, card), pdf, sheets, 1))
    if problems:
        raise BrochureError(problems)
    from brochure.cardtext import Made, combined

    return [*made, combined(options.out, [Made(item) for item in made])]


def simple_card(pipeline, edition: Edition, card: WorkerCard) -> bytes:
    """One worker's sheets: their card laid out by WeasyPrint, imposed QUANTITY times."""
    pdf, _reads, _fine = pipeline.lay_out(edition, CARD, {"worker": card.context()})
    return impose_cards(pdf, SHEET.duplex, quantity=card.worker.quantity)


def make_cards(options: BuildOptions, roster_path: Path, simple: bool = False) -> list[CardFile]:
    """Every file `brochure cards` writes, made in memory and checked; nothing written yet."""
    return _made(options, read_roster(options, roster_path), simple)


def _made(options: BuildOptions, roster: Roster, simple: bool) -> list[CardFile]:
    if simple:
        return simple_cards(options, roster)
    from brochure.cardtext import fast_cards

    return fast_cards(options, roster)


def write_cards(
    options: BuildOptions, roster_path: Path, simple: bool = False
) -> tuple[list[CardFile], float]:
    """Make every worker's file and the combined one, then write them, with the catalog's new
    line (build/index.html), all or none."""
    from brochure.catalog import catalog_files
    from brochure.output import output_lock, publish, remove_leftovers

    start = time.perf_counter()
    roster = read_roster(options, roster_path)
    files = _made(options, roster, simple)
    pending = [(item.path, item.pdf) for item in files]
    with output_lock(options.out, lambda message: None):
        remove_leftovers(options.out)
        catalog = catalog_files(options.out, roster.every_edition, dict(pending))
        publish(pending + catalog, options.out, sync_each=False)
    return files, time.perf_counter() - start
