"""Load content.yml and validate it into typed objects, reporting every problem at once.

Each problem is one line, `content.yml:LINE: path.to.field: what is wrong`, so a person editing
the file by hand can go straight to it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from brochure.errors import BrochureError
from brochure.source import (  # noqa: F401  (re-exported: other modules import them from here)
    MAX_DEPTH,
    MAX_FILE_BYTES,
    FastLoader,
    Loc,
    NotADate,
    character_name,
    line_for,
    parse_yaml,
    read_text,
    read_yaml,
)

MAX_TEXT = 1500  # characters in one field: more never fits a handout panel
MARKUP = re.compile(r"<\s*[A-Za-z!/?]|\{\{|\{%|\{#|&[A-Za-z#][A-Za-z0-9]*;")


#: Format characters real text needs: the joiners shape Devanagari, Arabic and Persian
#: (Persian writes ZWNJ inside words), and the soft hyphen marks where a word may break.
ALLOWED_FORMAT = {"\u200c", "\u200d", "\u00ad"}
#: Characters that reorder text: the templates set the direction of right-to-left text.
BIDI = {*"\u200e\u200f\u061c", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}


def _unseen(value: str) -> str | None:
    """The first character that prints as nothing (or garbles what follows), if any."""
    for char in value:
        if char in "\t\n" or char in ALLOWED_FORMAT:
            continue
        if unicodedata.category(char) in {"Cc", "Cf"}:
            return char
    return None


def _plain_text(value: str) -> str:
    """Content is printed as written; markup in it is a mistake (or an attempt) to refuse, and
    invisible characters are mistakes no one can see to fix in the printed handout."""
    unseen = _unseen(value)
    if unseen is not None:
        kind = "a control" if unicodedata.category(unseen) == "Cc" else "an invisible control"
        why = ": right-to-left text is handled by the templates" if unseen in BIDI else ""
        raise ValueError(f"contains {kind} character {character_name(unseen)}; remove it{why}")
    found = MARKUP.search(value)
    if found:
        snippet = value[found.start() : found.start() + 12].split()[0]
        raise ValueError(
            f"contains markup ({snippet!r}); text is printed exactly as written, "
            "so HTML tags, entities and template codes are not allowed: remove it"
        )
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
    AfterValidator(_plain_text),
]
LanguageCode = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$")
]  # BCP 47: language, optional script (zh-Hant), optional region (pt-BR)
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
NumberName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,39}$")]


def _us_phone(value: str) -> str:
    """Accept any common US spelling and store the one the handouts print: (978) 699-9786."""
    digits = re.sub(r"[\s().+-]", "", value)
    if any(char.isdigit() and not char.isascii() for char in digits):
        # Other scripts' digits print, but no phone can dial them from a tel: link.
        raise ValueError(
            f"{value!r} is not a phone number; write it with the digits 0-9, like (978) 699-9786"
        )
    if not re.fullmatch(r"[0-9]+", digits):
        raise ValueError(f"{value!r} is not a phone number; write it like (978) 699-9786")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ValueError(
            f"{value!r} has {len(digits)} digits; a US number has 10, like (978) 699-9786"
        )
    if digits[0] in "01" or digits[3] in "01":
        raise ValueError(f"{value!r} is not a valid US number (area code or exchange starts 0/1)")
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


Phone = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_us_phone)]

#: Three-digit numbers a phone dials as they are: 988 and the N11 service codes (211, 911).
SHORT_NUMBERS = {"988", *(f"{first}11" for first in "23456789")}


def _crisis_number(value: Any) -> str:
    """A crisis line: 988 or an N11 code kept as it is, otherwise a US number checked like the
    program's and printed as the state prints these lines, 833-773-2445 (no parentheses:
    inside Arabic text the shaper mirrors them). YAML reads an unquoted 988 as a number, so a
    whole number is taken as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("must be a phone number, like (833) 773-2445 or 988")
    digits = re.sub(r"[\s().+-]", "", value)
    if len(digits) <= 4 and digits.isascii() and digits.isdigit():
        if digits in SHORT_NUMBERS:
            return digits
        raise ValueError(
            f"{value.strip()!r} is not a number a phone can dial; a short number must be 988 "
            "or a service code such as 211 or 911, otherwise write all 10 digits, like "
            "(833) 773-2445"
        )
    return re.sub(r"\((\d{3})\) ", r"\1-", _us_phone(value.strip()))


CrisisNumber = Annotated[str, BeforeValidator(_crisis_number)]


def dial_link(number: str, scheme: str = "tel") -> str:
    """The link that dials NUMBER (tel:) or starts a text to it (sms:): a short number as it
    is (tel:988), a US number with its country code (tel:+19786999786)."""
    digits = re.sub(r"\D", "", number)
    return f"{scheme}:{digits if len(digits) <= 4 else '+1' + digits}"


WRITE_DATE = "it must be a date written like 2026-11-27"


def _calendar_date(value: Any) -> date:
    """Only a plain date: pydantic would read 20261127 as seconds since 1970, and the YAML
    loader keeps an impossible date (2026-02-30) as the text it was."""
    if isinstance(value, NotADate):
        raise ValueError(f"{value} is not a real date; {WRITE_DATE}")
    if isinstance(value, datetime):
        raise ValueError(f"{value:%Y-%m-%d %H:%M} has a time of day; {WRITE_DATE}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        written = value.strip()
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", written):
            try:
                return date.fromisoformat(written)
            except ValueError:
                raise ValueError(f"{written} is not a real date; {WRITE_DATE}") from None
        if re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt ]+[0-9].*", written):
            raise ValueError(f"{written} has a time of day; {WRITE_DATE}")
        raise ValueError(f"{written!r} is not a date; {WRITE_DATE}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value} is a number, not a date; {WRITE_DATE}")
    raise ValueError("must be a date written like 2026-11-27")


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]


class Model(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: A slot in a pattern: "{page}", "{region}". Words around the slots are translated.
SLOT = re.compile(r"\{([^{}]*)\}")


def slots(*names: str, example: str, why: str) -> AfterValidator:
    """A pattern's check: each of NAMES once, no other slot, no stray brace. A slot missing
    or misspelt would print a gap or the braces themselves on every handout."""

    def check(value: str) -> str:
        known = ", ".join(f"{{{name}}}" for name in names)
        for found in SLOT.findall(value):
            if found not in names:
                raise ValueError(
                    f"has {{{found}}}, which is not one of its slots ({known}); write only "
                    f"those, like {example!r}"
                )
        if any(brace in SLOT.sub("", value) for brace in "{}"):
            raise ValueError(
                f"has a {{ or }} that is not part of a slot; check each slot is written whole, "
                f"like {example!r}"
            )
        for name in names:
            if value.count(f"{{{name}}}") != 1:
                raise ValueError(f"must contain {{{name}}} once, like {example!r}: {why}")
        return value

    return AfterValidator(check)


#: How a name and the state are written together: "Worcester, Massachusetts" in English,
#: "麻省伍斯特" in Chinese (the state first, no comma), "ووستر، ماساتشوستس" in Arabic.
PlacePattern = Annotated[
    Text,
    slots(
        "name",
        "region",
        example="{name}, {region}",
        why="the city's or the program's name, and program.region, are printed there",
    ),
]


class Program(Model):
    name: Text
    short_name: Text
    region: Text
    phone: Phone
    #: How a name is written with the region. Optional: without it, "Worcester, Massachusetts"
    #: in every language.
    place: PlacePattern = "{name}, {region}"

    def with_region(self, name: str) -> str:
        """NAME (a city's, or the program's) and the region, as this language writes them."""
        parts = {"name": name, "region": self.region}
        return SLOT.sub(lambda slot: parts[slot.group(1)], self.place)

    @property
    def phone_digits(self) -> str:
        return re.sub(r"\D", "", self.phone)

    @property
    def phone_tel(self) -> str:
        """The dialable link the QR code and PDF links carry."""
        return dial_link(self.phone)


class Block(Model):
    """One piece of a panel: exactly one of heading, text, items or quote."""

    heading: Text | None = None
    text: Text | None = None
    items: Annotated[list[Text], Field(min_length=1)] | None = None
    quote: Text | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Block:
        given = [name for name in ("heading", "text", "items", "quote") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError(
                "each block needs exactly one of heading, text, items or quote"
                + (f" (found {', '.join(given)})" if given else "")
            )
        return self

    @property
    def kind(self) -> str:
        return next(n for n in ("heading", "text", "items", "quote") if getattr(self, n))


class Panel(Model):
    heading: Text
    blocks: Annotated[list[Block], Field(min_length=1)]
    call: Text | None = None  # an optional line printed above the phone number at the foot


class Cover(Model):
    kicker: Text
    headline: Text
    call: Text


#: How a city's paragraph on the tri-fold's back starts: "Worcester." in English; in Chinese
#: the name and a full-width colon (U+FF1A), which carries its own space.
CityLead = Annotated[
    Text,
    slots("name", example="{name}.", why="the city's name is printed there, in bold"),
]


class BackCover(Model):
    heading: Text
    how_to_reach: Annotated[list[Text], Field(min_length=1)]
    cities_heading: Text
    #: The bold start of each city's paragraph. Optional: without it, "Worcester." everywhere.
    city_lead: CityLead = "{name}."


class City(Model):
    name: Text
    text: Text


class Trifold(Model):
    cover: Cover
    flap: Panel
    back: BackCover
    inside_left: Panel
    inside_middle: Panel
    inside_right: Panel


class FaqItem(Model):
    question: Text
    answer: Text


def _no_typed_numbers(value: str) -> str:
    """The large print's "Page 2 of 3": the numbers are the printer's, never typed."""
    if re.search(r"\d", value):
        raise ValueError("has a number typed in; write {page} and {pages} where the numbers go")
    return value


PageLabel = Annotated[
    Text,
    AfterValidator(_no_typed_numbers),
    slots(
        "page",
        "pages",
        example="Page {page} of {pages}",
        why="the printed page number and the number of pages go there",
    ),
]


#: The fields that are patterns, by place in content.yml: a translation brought back from a
#: translator is checked with the same slot check before it is written.
PATTERNS = {
    ("program", "place"): PlacePattern,
    ("faq", "page_label"): PageLabel,
    ("trifold", "back", "city_lead"): CityLead,
}


class Faq(Model):
    title: Text
    intro: Text
    items: Annotated[list[FaqItem], Field(min_length=1)]
    call: Text
    #: The large print's page numbers. Optional: without it, "2 / 3" in every language.
    page_label: PageLabel = "{page} / {pages}"


class CardFront(Model):
    label: Text
    who_answers: Text


class CardBack(Model):
    line: Text
    qr_caption: Text


class CardWorker(Model):
    """The words of an outreach worker's own card (`brochure cards`): "Ask for <first name>",
    and how a speaker of this language says they speak it ("Habla español")."""

    ask_for: Text
    speaks: Text


class Card(Model):
    front: CardFront
    back: CardBack
    #: Optional, so a project without worker cards need not write it; `brochure cards` says so.
    worker: CardWorker | None = None


NUMBER_SLOT = "{number}"


def _one_number_slot(value: str) -> str:
    if re.search(r"\d\D{0,3}\d\D{0,3}\d", value):
        raise ValueError(
            f"has a number typed in; write {NUMBER_SLOT} where the phone number goes and the "
            "handouts print the program's number there"
        )
    if value.count(NUMBER_SLOT) != 1:
        raise ValueError(
            f"must contain {NUMBER_SLOT} once, where the phone number goes, like "
            f"'English: call {NUMBER_SLOT}' (the number itself is never typed here)"
        )
    return value


#: Where the language's name ends at the head of its line: a colon, or the full-width one.
NAME_END = re.compile("[:\uff1a]")


def language_name(line: str) -> str:
    """The language's own name at the head of its line ("Español" of "Español: {number}"):
    the tri-fold's back, short of room, lists the names alone under its one large number."""
    return NAME_END.split(line, maxsplit=1)[0].strip()


def _starts_with_its_name(value: str) -> str:
    head = NAME_END.split(value, maxsplit=1)[0]
    if head == value or NUMBER_SLOT in head or not head.strip():
        raise ValueError(
            f"must start with the language's own name and a colon, like 'Español: {NUMBER_SLOT}' "
            "(the tri-fold's back prints the name alone, before the colon)"
        )
    return value


class Speak(Model):
    """ "We speak your language": a heading in this language, and this language's own line,
    which the other languages' handouts print in the list."""

    heading: Text
    line: Annotated[Text, AfterValidator(_one_number_slot), AfterValidator(_starts_with_its_name)]

    @property
    def around_number(self) -> tuple[str, str]:
        """The words before and after the number."""
        before, after = self.line.split(NUMBER_SLOT)
        return before, after


#: In a crisis line, where a number goes: {help_line} names one of crisis.numbers.
CRISIS_SLOT = re.compile(r"\{([a-z_]+)\}")
#: The words that become a link starting a text message: "call or [text] {lifeline}".
TEXT_WORDS = re.compile(r"\[([^\[\]{}]+)\]")
#: "24/7" says when a line answers, not what to dial: the one run of digits a line may hold.
ALWAYS_OPEN = "24/7"


def _crisis_text(value: str) -> str:
    """One crisis line: one {name} where its number goes, at most one [words] that start a
    text message, and no number typed in (a translation must never carry one)."""
    if re.search(r"\d\D{0,3}\d\D{0,3}\d", value.replace(ALWAYS_OPEN, "")):
        raise ValueError(
            "has a number typed in; write the number's name in braces, like {lifeline}, where "
            "it goes: the numbers are written once, under crisis.numbers in content.yml"
        )
    slots = CRISIS_SLOT.findall(value)
    if len(slots) != 1:
        raise ValueError(
            f"must name one number in braces where it goes, like 'call {{lifeline}}' (found "
            f"{len(slots)}); the names are those under crisis.numbers in content.yml"
        )
    links = TEXT_WORDS.findall(value)
    rest = TEXT_WORDS.sub("", CRISIS_SLOT.sub("", value))
    if len(links) > 1 or any(mark in rest for mark in "[]{}"):
        raise ValueError(
            "may put [ ] around one word or phrase only, the one that offers a text message, "
            "like 'call or [text] {lifeline}'; check that every [ and { is closed"
        )
    return value


CrisisText = Annotated[Text, AfterValidator(_crisis_text)]


@dataclass(frozen=True)
class LinePart:
    """A piece of a crisis line as printed: words, a number that dials (kind "call"), or the
    words that start a text message to it (kind "text")."""

    kind: str
    words: str
    href: str = ""


class Crisis(Model):
    """Lines that answer when the program does not: nights, weekends, an emergency."""

    #: false: no handout prints the block (its words stay, checked and translated).
    show: bool = True
    #: The numbers, by name; each line says where its number goes: "call {lifeline}".
    numbers: Annotated[dict[NumberName, CrisisNumber], Field(min_length=1)]
    heading: Text
    lines: Annotated[list[CrisisText], Field(min_length=1)]
    #: The one line the wallet card's back prints, short: "24/7: call or [text] {lifeline}".
    card: CrisisText

    def parts(self, line: str) -> list[LinePart]:
        """LINE as the templates print it: its words, its number as a tel: link, and the
        words in [ ] as an sms: link to the same number."""
        number = self.numbers[CRISIS_SLOT.search(line).group(1)]  # type: ignore[union-attr]
        found = []
        for piece in re.split(r"(\{[a-z_]+\}|\[[^\[\]{}]+\])", line):
            if CRISIS_SLOT.fullmatch(piece):
                found.append(LinePart("call", number, dial_link(number)))
            elif TEXT_WORDS.fullmatch(piece):
                found.append(LinePart("text", piece[1:-1], dial_link(number, "sms")))
            elif piece:
                found.append(LinePart("words", piece))
        return found

    @property
    def line_parts(self) -> list[list[LinePart]]:
        """Every line as parts, for the templates (which may read properties, not call
        methods)."""
        return [self.parts(line) for line in self.lines]

    @property
    def card_parts(self) -> list[LinePart]:
        return self.parts(self.card)

    def printed(self, line: str) -> str:
        """LINE as a reader sees it on paper: numbers in, brackets out (for the words check)."""
        return "".join(part.words for part in self.parts(line))


FieldPath = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z_]+(\.([a-z0-9_-]+))*$")
]


class Allowance(Model):
    """A word from a stigma list printed on purpose: a quotation, the name of a service."""

    #: The words as printed around it, e.g. "Substance Abuse Hotline": only a hit inside this
    #: phrase is allowed, never the same word elsewhere.
    phrase: Text
    #: Why it must stay (who asked, what it quotes). Printed with every build.
    reason: Text
    #: Only in this field (faq.items.2.answer); every field when left out.
    field: FieldPath | None = None


class Checks(Model):
    """What `brochure check` and every build hold the words and the printed pages to."""

    #: Reading grade (U.S. school grade) above which a section is marked amber and warned of.
    max_grade: Annotated[float, Field(gt=0, le=20)] = 8
    #: Sentences longer than this many words are listed (a warning).
    max_sentence_words: Annotated[int, Field(ge=5, le=100)] = 20
    #: Words of this many syllables or more are listed (a warning).
    long_word_syllables: Annotated[int, Field(ge=3, le=10)] = 4
    #: No text on any page smaller than this (points): an error.
    min_type_pt: Annotated[float, Field(gt=0, le=72)] = 9
    #: Fine print: a short code a template marks `data-fine-print` (the edition code), and
    #: nothing else, may be this small (points): an error below.
    min_fine_print_pt: Annotated[float, Field(gt=0, le=72)] = 7
    #: Body text (the size most of a page's letters are set in) at least this (points): an error.
    min_body_pt: Annotated[float, Field(gt=0, le=72)] = 11
    #: Every text colour against its background as laid out (WCAG ratio): an error below.
    min_contrast: Annotated[float, Field(ge=1, le=21)] = 4.5
    #: The same for large text (18 pt, or 14 pt bold), as WCAG 2 (AA) allows.
    min_contrast_large: Annotated[float, Field(ge=1, le=21)] = 3.0
    #: Words from the stigma lists (brochure/stigma/) printed on purpose, each with a reason.
    allow: list[Allowance] = []


class Content(Model):
    language: LanguageCode
    program: Program
    cities: Annotated[dict[Slug, City], Field(min_length=1)]
    trifold: Trifold
    faq: Faq
    card: Card
    closing: Annotated[list[Text], Field(min_length=1)]
    #: Optional: without it, no handout prints the "we speak your language" list.
    speak: Speak | None = None
    #: Optional: crisis and after-hours lines (without it, or with show: false, none printed).
    crisis: Crisis | None = None
    #: When the copy was last revised: dates the PDFs, so the same input gives the same bytes.
    revised: CalendarDate
    #: Printed across every page of a translation no qualified translator has reviewed yet.
    draft_band: Text = "DRAFT TRANSLATION – DO NOT HAND OUT"
    #: Printed large and diagonally across every panel, card face and page of such a draft.
    draft_word: Text = "DRAFT"
    #: Translation files, by language code, relative to this file (main content file only).
    #: Any value here: source.confined_file checks each path (and says what is wrong with it)
    #: before the file is read.
    translations: dict[LanguageCode, Any] = {}
    #: Cities that get a tri-fold of their own, in every language (main content file only).
    city_editions: list[Slug] = []
    #: Reading level, stigma-free words and print legibility: limits and allowances (main
    #: content file only).
    checks: Checks = Checks()


def load_content(path: Path) -> Content:
    """Read and validate content.yml; raise BrochureError listing every problem found."""
    data, lines = parse_yaml(read_text(path, path.name), path.name)
    return validate_content(data, lines, path.name)


def validate_content(data: Any, lines: dict[Loc, int], name: str) -> Content:
    """Typed content from parsed YAML, or a BrochureError naming NAME:LINE for each problem."""
    try:
        content = Content.model_validate(data)
    except ValidationError as exc:
        raise BrochureError(describe_errors(exc, lines, name)) from None
    problems = [f"{name}:{line_for(loc, lines)}: {msg}" for loc, msg in cross_checks(content)]
    if problems:
        raise BrochureError(problems)
    return content


def cross_checks(content: Content) -> list[tuple[Loc, str]]:
    """Rules that span several fields."""
    problems: list[tuple[Loc, str]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(content.faq.items):
        key = re.sub(r"[\W_]+", " ", item.question.casefold()).strip()
        if key in seen:
            problems.append(
                (
                    ("faq", "items", index, "question"),
                    f"faq.items.{index}.question: repeats question {seen[key] + 1} "
                    f"({content.faq.items[seen[key]].question!r}); each question must differ",
                )
            )
        seen.setdefault(key, index)
    if content.crisis:
        problems += _crisis_names(content.crisis)
    return problems


def _crisis_names(crisis: Crisis) -> list[tuple[Loc, str]]:
    """Every number a crisis line names must be one of crisis.numbers."""
    problems: list[tuple[Loc, str]] = []
    texts: list[tuple[Loc, str]] = [(("crisis", "lines", i), t) for i, t in enumerate(crisis.lines)]
    for loc, text in [*texts, (("crisis", "card"), crisis.card)]:
        name = CRISIS_SLOT.search(text).group(1)  # type: ignore[union-attr]
        if name not in crisis.numbers:
            where = ".".join(map(str, loc))
            problems.append(
                (
                    loc,
                    f"{where}: {{{name}}} is not one of the numbers under crisis.numbers "
                    f"({', '.join(crisis.numbers)}); use one of those names, or add the number "
                    "there",
                )
            )
    return problems


def locate(path: Path, needle: str) -> list[str]:
    """Where in the content file a piece of text appears, as `file:LINE: field` strings."""
    data, lines = parse_yaml(read_text(path, path.name), path.name)
    found: list[str] = []

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, str) and needle in value:
            found.append(f"{path.name}:{line_for(loc, lines)}: {'.'.join(map(str, loc))}")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index))

    walk(data, ())
    return found


def describe_errors(
    exc: ValidationError, lines: dict[Loc, int], name: str, prefix: Loc = ()
) -> list[str]:
    """Turn pydantic's errors into `file:LINE: path: message` lines a person can act on.

    PREFIX is where the validated mapping sits in the file, when it is not the whole file.
    """
    out = []
    for error in exc.errors():
        loc = (*prefix, *(p for p in error["loc"] if not str(p).startswith("[key]")))
        line = line_for(loc, lines)
        field = ".".join(str(part) for part in loc) or "(top level)"
        message = _message(error)
        if error["type"] == "extra_forbidden":
            message += _suggestion(str(loc[-1]), _allowed_keys(loc[:-1]))
        out.append(f"{name}:{line}: {field}: {message}")
    return list(dict.fromkeys(out))


def _allowed_keys(loc: Loc) -> list[str]:
    """The keys the model accepts at LOC, for a "did you mean" hint."""
    annotation: Any = Content
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return []
            annotation = field.annotation
        else:
            args = get_args(annotation)
            annotation = args[-1] if args else None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and `X | None` down to the type inside."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def _suggestion(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; remove it (allowed here: {', '.join(allowed)})" if allowed else "; remove it"


_PATTERN_HINTS = {
    "language": "use a language code such as en, es or pt-BR",
    "cities": "city keys are short lowercase names such as worcester",
    "city_editions": "city_editions lists city keys from `cities`, such as worcester",
    "translations": "translations are listed by language code, such as es or pt-BR",
    "crisis": "a number's name is a short lowercase word, such as help_line",
}


def _message(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required but missing; add it"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long ({len(str(error['input']))} characters; at most {MAX_TEXT} fit)"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(error["loc"][0]), "check the spelling")
        return f"{error['input']!r} is not valid here; {hint}"
    if kind == "too_short":
        return "must have at least one entry"
    if kind in {"bool_type", "bool_parsing"}:
        return "must be true or false"
    if kind in {"date_type", "date_from_datetime_parsing", "date_parsing"}:
        return "must be a date written like 2026-11-27"
    if kind == "string_type":
        given = error.get("input")
        if given is None:
            return "is empty; write its text"
        if isinstance(given, dict):
            return "must be text, not a mapping; write the text alone, without a `name:` before it"
        if isinstance(given, list):
            return "must be text, not a list; write it on one line after the colon"
        return "must be text (put it in quotes if it looks like a number, yes/no or a date)"
    if kind in {"list_type", "dict_type", "model_type"}:
        expected = {"list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping"}
        return f"must be {expected[kind]}"
    message = error["msg"]
    return message.removeprefix("Value error, ")
