"""Read the words as a reviewer would: reading level, stigma-free language, abbreviations.

Per edition, per document, per section (a tri-fold panel, the FAQ's parts, a card face), in
the order the templates print them. Text only (no layout, no WeasyPrint): it runs for every
edition in the main process, once per build, so each warning is printed once.

Reading level, over the words a section prints (names of the program, the state and the
cities are printed but not graded). Every heading, list item and paragraph is its own piece;
inside one, a sentence ends at . ! ? or … (closing quotes may follow).

- English: Flesch-Kincaid grade, FK = 0.39 x words/sentences + 11.8 x syllables/words - 15.59,
  with SMOG beside it, 1.043 x sqrt(30 x words of 3+ syllables / sentences) + 3.1291.
- Spanish: Fernández-Huerta reading ease, FH = 206.84 - 60 x syllables/words - 1.02 x
  words/sentences, read as a school grade with Fernández-Huerta's table (as Flesch's: 90-100
  grade 4, 80-90 grade 5, 70-80 grade 6, 60-70 grades 7-8, 50-60 grades 9-10, 30-50 grades
  11-12, below 30 college); and the INFLESZ scale (Barrio-Cantalejo et al., 2008), which is
  defined on Szigriszt-Pazos's perspicuity, P = 206.835 - 62.3 x syllables/words -
  words/sentences (below 40 muy difícil, 40-55 algo difícil, 55-65 normal, 65-80 bastante
  fácil, 80 and up muy fácil).
- Brazilian Portuguese: Flesch as adapted by Martins et al. (1996), 248.835 - 1.015 x
  words/sentences - 84.6 x syllables/words, with its bands (75-100 grades 1-4, 50-75 grades
  5-8, 25-50 high school, below 25 college). It was fitted on school textbooks, not health
  materials; it is reported as such.
- Every other language: "not measured" (no formula we could stand behind; no syllable counts).

Syllables: brochure/syllables.py. Stigma word lists: brochure/stigma/*.yml.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from brochure import syllables
from brochure.content import Checks, Content, Loc, Panel, line_for, read_yaml
from brochure.errors import BrochureError

STIGMA_FOLDER = Path(__file__).with_name("stigma")
#: What the words check reads: every document laid out from the words (the card sheet is the
#: card's own page placed ten times: the card's figures are its figures).
WORD_DOCUMENTS = ("trifold", "faq", "wallet-card")
#: Documents that need not spell out an abbreviation: the card is read at a glance.
ABBREVIATION_EXEMPT = {"wallet-card"}
#: A section with fewer words is shown with its figures but not judged: no formula means much
#: on a card face of a dozen words (Flesch-Kincaid was fitted on 100-word samples).
MIN_WORDS = 30
#: Capitals that are words, not abbreviations to spell out.
NOT_ABBREVIATIONS = {"OK", "AM", "PM", "TV", "US", "USA", "DRAFT"}

WORD = re.compile(r"[^\W\d_](?:[\w]|[-'’\u2010\u2011](?=\w))*")
TOKEN = re.compile(r"\w+(?:[-'’\u2010\u2011]\w+)*")
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’»)\]]*\s+")
ABBREVIATION = re.compile(r"\b[A-Z]{2,}s?\b")


# --- what each document prints, in reading order --------------------------------------------


@dataclass(frozen=True)
class Piece:
    """One printed text: a heading, a paragraph, a list item, a quote, a name."""

    loc: Loc
    text: str
    graded: bool = True  # names (program, state, cities) are printed, not graded

    @property
    def where(self) -> str:
        return ".".join(map(str, self.loc))


@dataclass(frozen=True)
class Section:
    document: str
    name: str  # "cover", "flap", "questions", "front"
    pieces: tuple[Piece, ...]


def sections(content: Content, document: str, city: str | None = None) -> list[Section]:
    """What DOCUMENT prints from CONTENT, section by section, in the templates' reading order.

    The same fields the templates show (trifold.html.j2, faq.html.j2, wallet-card.html.j2);
    a template that prints a new field needs a line here too.
    """
    program = content.program
    names = [Piece(("program", "name"), program.name, graded=False)]
    region = Piece(("program", "region"), program.region, graded=False)
    if document == "trifold":
        fold = content.trifold
        chosen = [city] if city else list(content.cities)
        cover = [*names]
        if city:
            cover.append(Piece(("cities", city, "name"), content.cities[city].name, False))
        cover += [region]
        cover += _fields(("trifold", "cover"), fold.cover, ("kicker", "headline", "call"))
        back = [Piece(("trifold", "back", "heading"), fold.back.heading)]
        back += _items(("trifold", "back", "how_to_reach"), fold.back.how_to_reach)
        if city:
            back.append(Piece(("cities", city, "name"), content.cities[city].name, False))
        else:
            back.append(
                Piece(("trifold", "back", "cities_heading"), fold.back.cities_heading, False)
            )
        for slug in chosen:
            if not city:
                back.append(Piece(("cities", slug, "name"), content.cities[slug].name, False))
            back.append(Piece(("cities", slug, "text"), content.cities[slug].text))
        back += _items(("closing",), content.closing)
        return [
            Section(document, "cover", tuple(cover)),
            Section(document, "flap", _panel(("trifold", "flap"), fold.flap)),
            Section(document, "back", tuple(back)),
            Section(document, "inside-left", _panel(("trifold", "inside_left"), fold.inside_left)),
            Section(
                document, "inside-middle", _panel(("trifold", "inside_middle"), fold.inside_middle)
            ),
            Section(
                document,
                "inside-right",
                _panel(("trifold", "inside_right"), fold.inside_right) + _crisis(content),
            ),
        ]
    if document == "faq":
        faq = content.faq
        intro = [*names, region, *_fields(("faq",), faq, ("title", "intro"))]
        questions: list[Piece] = []
        for index, item in enumerate(faq.items):
            questions += _fields(("faq", "items", index), item, ("question", "answer"))
        footer = [Piece(("faq", "call"), faq.call), *_crisis(content)]
        footer += _items(("closing",), content.closing)
        return [
            Section(document, "intro", tuple(intro)),
            Section(document, "questions", tuple(questions)),
            Section(document, "call", tuple(footer)),
        ]
    if document == "wallet-card":
        card = content.card
        return [
            Section(
                document, "front", _fields(("card", "front"), card.front, ("label", "who_answers"))
            ),
            Section(
                document,
                "back",
                _fields(("card", "back"), card.back, ("line", "qr_caption"))
                + _crisis(content, card=True),
            ),
        ]
    return []


def _crisis(content: Content, card: bool = False) -> tuple[Piece, ...]:
    """The crisis box as printed (numbers in, brackets out), when it is shown: the card's one
    line, or the heading and every line."""
    crisis = content.crisis
    if crisis is None or not crisis.show:
        return ()
    if card:
        return (Piece(("crisis", "card"), crisis.printed(crisis.card)),)
    lines = [Piece(("crisis", "lines", i), crisis.printed(t)) for i, t in enumerate(crisis.lines)]
    return (Piece(("crisis", "heading"), crisis.heading), *lines)


def _fields(loc: Loc, model: Any, names: tuple[str, ...]) -> tuple[Piece, ...]:
    return tuple(Piece((*loc, name), getattr(model, name)) for name in names)


def _items(loc: Loc, texts: list[str]) -> list[Piece]:
    return [Piece((*loc, index), text) for index, text in enumerate(texts)]


def _panel(loc: Loc, panel: Panel) -> tuple[Piece, ...]:
    pieces = [Piece((*loc, "heading"), panel.heading)]
    for index, block in enumerate(panel.blocks):
        where = (*loc, "blocks", index, block.kind)
        if block.items:
            pieces += _items(where, block.items)
        else:
            pieces.append(Piece(where, getattr(block, block.kind)))
    if panel.call:
        pieces.append(Piece((*loc, "call"), panel.call))
    return tuple(pieces)


# --- reading level --------------------------------------------------------------------------


def words_of(text: str) -> list[str]:
    """The words of a text: runs of letters (with inner apostrophes and hyphens)."""
    return WORD.findall(unicodedata.normalize("NFC", text))


def sentences_of(text: str) -> list[str]:
    """A piece's sentences: it ends one, and so do . ! ? … followed by a space."""
    return [s for s in SENTENCE_END.split(text.strip()) if words_of(s)]


@dataclass
class Counts:
    words: int = 0
    sentences: int = 0
    syllables: int = 0
    polysyllables: int = 0  # words of 3 syllables or more (SMOG)
    longest: int = 0  # words in the longest sentence

    def add(self, other: Counts) -> None:
        self.words += other.words
        self.sentences += other.sentences
        self.syllables += other.syllables
        self.polysyllables += other.polysyllables
        self.longest = max(self.longest, other.longest)


@dataclass(frozen=True)
class Grade:
    """A reading level: an approximate U.S. school grade (for the limit and the catalog's
    mark) and how it was measured, in words."""

    grade: float | None  # None: not measured
    label: str

    def within(self, limit: float) -> bool | None:
        return None if self.grade is None else self.grade <= limit


NOT_MEASURED = Grade(None, "not measured")


def grade(counts: Counts, language: str) -> Grade:
    """The reading level of COUNTS in LANGUAGE (formulas in the module's docstring)."""
    key = syllables.language_key(language)
    if key is None or counts.words == 0 or counts.sentences == 0:
        return NOT_MEASURED
    per_sentence = counts.words / counts.sentences
    per_word = counts.syllables / counts.words
    if key == "en":
        fk = 0.39 * per_sentence + 11.8 * per_word - 15.59
        smog = 1.043 * math.sqrt(30 * counts.polysyllables / counts.sentences) + 3.1291
        return Grade(round(fk, 1), f"FK {fk:.1f}, SMOG {smog:.1f}")
    if key == "es":
        fh = 206.84 - 60 * per_word - 1.02 * per_sentence
        perspicuity = 206.835 - 62.3 * per_word - per_sentence
        school = fernandez_huerta_grade(fh)
        return Grade(school, f"FH {fh:.0f} (grade {school:g}), INFLESZ {inflesz(perspicuity)}")
    ease = 248.835 - 1.015 * per_sentence - 84.6 * per_word
    school, band = martins_band(ease)
    return Grade(school, f"Flesch-PT {ease:.0f} ({band}; Martins et al.)")


def fernandez_huerta_grade(score: float) -> float:
    """Fernández-Huerta's table: the highest school grade a score corresponds to."""
    for floor, school in ((90, 4), (80, 5), (70, 6), (60, 8), (50, 10), (30, 12)):
        if score >= floor:
            return school
    return 16


def inflesz(perspicuity: float) -> str:
    for floor, band in (
        (80, "muy fácil"),
        (65, "bastante fácil"),
        (55, "normal"),
        (40, "algo difícil"),
    ):
        if perspicuity >= floor:
            return f"{perspicuity:.0f} {band}"
    return f"{perspicuity:.0f} muy difícil"


def martins_band(ease: float) -> tuple[float, str]:
    for floor, school, band in (
        (75, 4, "grades 1-4"),
        (50, 8, "grades 5-8"),
        (25, 12, "high school"),
    ):
        if ease >= floor:
            return school, band
    return 16, "college"


def count_piece(
    text: str, language: str, long_syllables: int
) -> tuple[Counts, list[str], list[tuple[int, str]]]:
    """Counts for one piece, its words of LONG_SYLLABLES or more, and its sentences with
    their lengths in words."""
    counts = Counts()
    long_words: list[str] = []
    sentences: list[tuple[int, str]] = []
    for sentence in sentences_of(text):
        words = words_of(sentence)
        counts.sentences += 1
        counts.words += len(words)
        counts.longest = max(counts.longest, len(words))
        sentences.append((len(words), sentence))
        for word in words:
            n = syllables.count(word, language) or 0
            counts.syllables += n
            if n >= 3:
                counts.polysyllables += 1
            if n >= long_syllables and word not in long_words:
                long_words.append(word)
    return counts, long_words, sentences


# --- stigma word lists ----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    forms: tuple[str, ...]
    use: str
    guide: str
    level: str = "error"
    not_in: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class WordList:
    """One language's list: forms indexed by their first word, for one pass over a text."""

    path: Path
    guides: dict[str, str]
    terms: tuple[Term, ...]
    index: dict[str, list[tuple[tuple[str, ...], bool, Term]]] = field(default_factory=dict)

    def hits(self, text: str) -> Iterator[tuple[int, int, str, Term]]:
        """(first token, end token, words as printed, term) for each form found in TEXT."""
        tokens = tokenize(text)
        folded = [t.casefold() for t, _, _ in tokens]
        i = 0
        while i < len(tokens):
            found = None
            # The longest form that starts here ("addicted baby" before "addicted").
            for form, exact, term in self.index.get(folded[i], ()):
                n = len(form)
                seen = [t for t, _, _ in tokens[i : i + n]] if exact else folded[i : i + n]
                if tuple(seen) != form or (found and found[1] >= i + n):
                    continue
                if any(_covers(folded, phrase, i, i + n) for phrase in term.not_in):
                    continue
                found = (i, i + n, text[tokens[i][1] : tokens[i + n - 1][2]], term)
            if found:
                yield found
                i = found[1]
            else:
                i += 1


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Words with their places; an apostrophe or hyphen inside a word keeps it whole (so
    "non-alcoholic" is not "alcoholic"), and the typographic apostrophe reads as '."""
    text = unicodedata.normalize("NFC", text)
    return [(m.group().replace("’", "'"), m.start(), m.end()) for m in TOKEN.finditer(text)]


def _covers(folded: list[str], phrase: tuple[str, ...], start: int, end: int) -> bool:
    """Whether PHRASE occurs in FOLDED around the tokens START..END."""
    n = len(phrase)
    for first in range(max(0, end - n), start + 1):
        if tuple(folded[first : first + n]) == phrase:
            return True
    return False


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(t.casefold() for t, _, _ in tokenize(text))


@cache
def word_list(language: str) -> WordList | None:
    """The stigma list for LANGUAGE (pt-BR.yml, else pt.yml, for pt-BR), or None."""
    base = language.split("-")[0]
    candidates = [language, base, *sorted(p.stem for p in STIGMA_FOLDER.glob(f"{base}-*.yml"))]
    for name in candidates:
        path = STIGMA_FOLDER / f"{name}.yml"
        if path.is_file():
            return load_word_list(path)
    return None


def load_word_list(path: Path) -> WordList:
    data, lines = read_yaml(path, f"brochure/stigma/{path.name}")
    where = f"brochure/stigma/{path.name}"
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise BrochureError(f"{where}:1: must have `guides` and a list of `terms`")
    guides = {str(k): str(v) for k, v in (data.get("guides") or {}).items()}
    terms = []
    problems = []
    for index, raw in enumerate(data["terms"]):
        line = line_for(("terms", index), lines)
        if not isinstance(raw, dict) or not raw.get("forms") or not raw.get("use"):
            problems.append(f"{where}:{line}: terms.{index}: needs `forms` and `use`")
            continue
        unknown = set(raw) - {"forms", "use", "guide", "level", "not_in"}
        if unknown:
            problems.append(f"{where}:{line}: terms.{index}: unknown key {sorted(unknown)[0]!r}")
        guide = str(raw.get("guide", ""))
        if guide not in guides:
            problems.append(
                f"{where}:{line}: terms.{index}.guide: {guide!r} is not one of the guides "
                f"({', '.join(guides)})"
            )
        level = str(raw.get("level", "error"))
        if level not in ("error", "warning"):
            problems.append(f"{where}:{line}: terms.{index}.level: must be error or warning")
        terms.append(
            Term(
                tuple(str(f) for f in raw["forms"]),
                str(raw["use"]),
                guide,
                level,
                tuple(_phrase(str(p)) for p in raw.get("not_in") or ()),
            )
        )
    if problems:
        raise BrochureError(problems)
    index: dict[str, list[tuple[tuple[str, ...], bool, Term]]] = {}
    for term in terms:
        for form in term.forms:
            exact = form.isupper()  # MAT, in capitals, is not a mat
            words = tuple(t for t, _, _ in tokenize(form))
            key = words if exact else tuple(w.casefold() for w in words)
            index.setdefault(key[0].casefold(), []).append((key, exact, term))
    return WordList(path, guides, tuple(terms), index)


# --- the check ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of `brochure check`'s table."""

    edition: str
    document: str
    section: str
    grade: Grade
    words: int
    longest: int  # words in the longest sentence
    stigma: int  # hits that are errors
    allowed: int  # hits allowed in content.yml


@dataclass
class WordsReport:
    rows: list[Row] = field(default_factory=list)
    #: Each handout's reading level, over all its sections: (edition, document) -> Grade.
    documents: dict[tuple[str, str], Grade] = field(default_factory=dict)
    #: Each handout's hardest section: (edition, document) -> (section, Grade).
    hardest: dict[tuple[str, str], tuple[str, Grade]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: To simplify: "file:line: field: ..." lines for long sentences and long words.
    notes: list[str] = field(default_factory=list)
    max_grade: float = 8.0


class _Lines:
    """Line numbers of fields in each words file, read only when a message needs one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[Path, dict] = {}

    def name(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    def at(self, path: Path, loc: Loc) -> str:
        if path not in self.cache:
            try:
                self.cache[path] = read_yaml(path, self.name(path))[1]
            except BrochureError:
                self.cache[path] = {}
        return f"{self.name(path)}:{line_for(loc, self.cache[path])}"


def check_words(editions: list, documents: tuple[str, ...] | None = None) -> WordsReport:
    """Read every edition's words: the table, and every error and warning once."""
    if not editions:
        return WordsReport()
    reader = _Reader(editions)
    wanted = [d for d in WORD_DOCUMENTS if documents is None or d in documents]
    for language in {e.language for e in editions}:
        if syllables.language_key(language) != "en":
            continue
        every = {
            word
            for e in editions
            if e.language == language
            for d in wanted
            if e.makes(d)
            for s in sections(e.content, d, e.city)
            for p in s.pieces
            for word in words_of(p.text)
        }
        syllables.prepare(language, every)  # English: one pass over the dictionary
    for edition in editions:
        for document in wanted:
            if edition.makes(document):
                reader.document(edition, document)
    return reader.finish()


class _Reader:
    """What check_words gathers as it reads: rows, and each message once."""

    def __init__(self, editions: list) -> None:
        self.checks: Checks = editions[0].content.checks
        self.main_file = editions[0].sources[0]
        self.lines = _Lines(self.main_file.resolve().parent)
        self.main = self.lines.name(self.main_file)
        self.report = WordsReport(max_grade=self.checks.max_grade)
        self.allowances = [(a, _phrase(a.phrase)) for a in self.checks.allow]
        self.used: set[int] = set()
        self.errors: dict[str, None] = {}
        self.warnings: dict[str, None] = {}
        self.notes: dict[str, None] = {}
        self.shown: set[tuple] = set()  # sections already in the table (a city's cover...)

    def document(self, edition: Any, document: str) -> None:
        source, language = edition.sources[-1], edition.language
        key = (edition.name, document)
        total = Counts()
        for section in sections(edition.content, document, edition.city):
            counts = Counts()
            hits = allowed = 0
            for piece in section.pieces:
                found, let = self.stigma(source, language, piece)
                hits, allowed = hits + found, allowed + let
                if piece.graded:
                    counts.add(self.reading(source, language, piece))
            total.add(counts)
            level = grade(counts, language)
            judged = level.grade is not None and counts.words >= MIN_WORDS
            hardest = self.report.hardest.get(key)
            if judged and (hardest is None or level.grade > hardest[1].grade):
                self.report.hardest[key] = (section.name, level)
            row = Row(
                edition.name,
                document,
                section.name,
                level,
                counts.words,
                counts.longest,
                hits,
                allowed,
            )
            if (language, document, section.pieces) not in self.shown:
                self.shown.add((language, document, section.pieces))
                self.report.rows.append(row)
            if judged and level.grade > self.checks.max_grade:
                place = self.lines.at(source, section.pieces[0].loc)
                self.warnings[
                    f"{place}: {document} {section.name}: reading grade {level.grade:g} "
                    f"({level.label}) is above {self.checks.max_grade:g}; use shorter "
                    "sentences and shorter words"
                ] = None
        self.report.documents[key] = grade(total, language)
        if document not in ABBREVIATION_EXEMPT:
            for loc, message in abbreviations(edition.content, document, edition.city):
                where = ".".join(map(str, loc))
                self.warnings[f"{self.lines.at(source, loc)}: {where}: {message}"] = None

    def stigma(self, source: Path, language: str, piece: Piece) -> tuple[int, int]:
        """Words from the language's stigma list in PIECE: (errors, allowed)."""
        words = word_list(language)
        if words is None:
            return 0, 0
        hits = allowed = 0
        folded = [t.casefold() for t, _, _ in tokenize(piece.text)]
        for start, end, printed, term in words.hits(piece.text):
            place = f"{self.lines.at(source, piece.loc)}: {piece.where}"
            guide = words.guides.get(term.guide, term.guide)
            allowance = next(
                (
                    n
                    for n, (a, phrase) in enumerate(self.allowances)
                    if (a.field is None or a.field == piece.where)
                    and _covers(folded, phrase, start, end)
                ),
                None,
            )
            if allowance is not None:
                self.used.add(allowance)
                allowed += 1
                reason = self.checks.allow[allowance].reason
                self.warnings[
                    f"{place}: {printed!r} allowed by checks.allow in {self.main} ({reason})"
                ] = None
            elif term.level == "warning":
                self.warnings[f"{place}: {printed!r}: consider {term.use!r} ({guide})"] = None
            else:
                hits += 1
                self.errors[
                    f"{place}: {printed!r} is stigmatizing language ({guide}); write "
                    f"{term.use!r} instead, or, if it is a quotation, allow it under "
                    f"checks.allow in {self.main} with a reason"
                ] = None
        return hits, allowed

    def reading(self, source: Path, language: str, piece: Piece) -> Counts:
        """PIECE's counts; its long sentences and long words noted, with where they are."""
        if syllables.language_key(language) is None:
            return Counts()
        limit = self.checks.max_sentence_words
        counts, long_words, said = count_piece(
            piece.text, language, self.checks.long_word_syllables
        )
        for size, sentence in said:
            if size > limit:
                place = f"{self.lines.at(source, piece.loc)}: {piece.where}"
                start = " ".join(sentence.split()[:6])
                self.notes[
                    f'{place}: sentence of {size} words ("{start} ..."); aim for {limit} or fewer'
                ] = None
        if long_words:
            place = f"{self.lines.at(source, piece.loc)}: {piece.where}"
            self.notes[
                f"{place}: words of {self.checks.long_word_syllables}+ syllables: "
                + ", ".join(long_words)
            ] = None
        return counts

    def finish(self) -> WordsReport:
        for index, (allowance, _phrase_tokens) in enumerate(self.allowances):
            if index not in self.used:
                where = f" in {allowance.field}" if allowance.field else ""
                self.warnings[
                    f"{self.main}: checks.allow.{index}: {allowance.phrase!r} is not printed "
                    f"anywhere{where}; remove the allowance"
                ] = None
        self.report.errors = list(self.errors)
        self.report.warnings = list(self.warnings)
        self.report.notes = list(self.notes)
        return self.report


def abbreviations(
    content: Content, document: str, city: str | None = None
) -> list[tuple[Loc, str]]:
    """Abbreviations used alone before they are spelled out: the program's short name counts
    as spelled out once its full name is printed (the cover, the FAQ's header); any other once
    it is written "Full Words (ABBR)" or "ABBR (full words)"."""
    spelled: set[str] = set()
    problems: list[tuple[Loc, str]] = []
    program = content.program
    for section in sections(content, document, city):
        for piece in section.pieces:
            if piece.loc == ("program", "name"):
                spelled.add(program.short_name)
            for match in ABBREVIATION.finditer(piece.text):
                abbr = (
                    match.group().removesuffix("s")
                    if match.group().endswith("s")
                    else match.group()
                )
                if abbr in NOT_ABBREVIATIONS or abbr in spelled:
                    continue
                before = piece.text[: match.start()].rstrip()
                after = piece.text[match.end() :].lstrip()
                if before.endswith("(") and piece.text[match.end() :].startswith(")"):
                    spelled.add(abbr)  # Full Words (ABBR)
                    continue
                if after.startswith("(") and len(words_of(after.split(")")[0])) >= 2:
                    spelled.add(abbr)  # ABBR (full words)
                    continue
                full = program.name if abbr == program.short_name else "the full words"
                problems.append(
                    (
                        piece.loc,
                        f"{abbr!r} is used before it is spelled out; write "
                        f"{full} ({abbr}) the first time",
                    )
                )
                spelled.add(abbr)  # said once per document
    return problems
