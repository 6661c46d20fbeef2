"""Random, well-typed content never ends in a traceback: the build either succeeds with the
right page counts, or fails with exactly the messages the generated mistakes call for.

The examples are derandomized (the same cases in CI as on a laptop). Each case is judged
against an oracle written out in this file: which field was emptied, made too long, given an
invisible character or a character no font has, and which fit box shows each changed field.
"""

from __future__ import annotations

import copy
import io
import re
import tempfile
import unicodedata
from pathlib import Path

import yaml
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from brochure.build import check
from brochure.documents import DOCUMENTS
from brochure.errors import BrochureError
from brochure.options import BuildOptions

BASE = yaml.safe_load((Path(__file__).parent / "corpus" / "base.yml").read_text())

LATIN = list("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;:!?'’“”-–()") + list(
    "áéíóúñçãõâêôàüÁÉÑÇ"  # Spanish and Portuguese
)
#: Characters none of the project's fonts can draw (Atkinson Hyperlegible, the Noto families
#: for Vietnamese, Arabic, Devanagari and Han: none has emoji or Hebrew).
NO_GLYPH = {"😀", "🙏", "❤", *"שלום"}
#: Characters that print, or print as nothing but are allowed (joiner, selector, spaces, tab;
#: Arabic in an English edition, which fontconfig draws with Noto Sans Arabic).
EXOTIC = [*sorted(NO_GLYPH), *"مرحبا", "\ufe0f", "\u200d", " ", "\u00a0", "\t"]
SHORT = st.text(st.sampled_from(LATIN), min_size=1, max_size=60)
TEXT = st.one_of(
    SHORT,
    SHORT,
    st.text(st.sampled_from(LATIN), min_size=200, max_size=1600),  # long strings
    st.text(st.sampled_from(LATIN + EXOTIC), min_size=1, max_size=40),  # emoji, RTL, joiners
    st.just("Supercalifragilisticexpialidocious" * 6),  # one unbreakable word
    st.one_of(
        st.sampled_from(["", " ", "\u00a0\t"]),  # emptied
        st.text(st.sampled_from([*LATIN, "\u200f"]), min_size=1, max_size=20).map(
            lambda text: text + "\u200f"  # a right-to-left mark: invisible, refused
        ),
    ),
)

MAX_TEXT = 1500  # content.py's limit, stated here again on purpose
FORMAT_ALLOWED = {"\t", "\n", "\u200c", "\u200d", "\u00ad"}
BIDI = {"\u200e", "\u200f", "\u061c"}


def text_paths(data, path=()):
    """Every place in the content that holds text."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from text_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from text_paths(value, (*path, index))
    elif isinstance(data, str) and path not in {("language",), ("program", "phone")}:
        yield path


TEXT_PATHS = list(text_paths(BASE))
LIST_PATHS = [("closing",), ("faq", "items"), ("trifold", "back", "how_to_reach")]

#: Where each part of the content is printed, as (document, fit box); a field is shown by
#: every entry whose key is a prefix of its path. Large print has no boxes: its pages stand in.
COVER, BACK, FAQ_PAGE = ("trifold", "cover"), ("trifold", "back"), ("faq", "page")
FLYER, POSTER = ("tear-off-flyer", "message"), ("poster", "poster")
LARGE = ("faq-large-print", "pages")
TABS = {("tear-off-flyer", f"tab {n}") for n in range(1, 9)}
PRINTED = {
    ("program", "name"): {COVER, FAQ_PAGE, FLYER, POSTER, LARGE},
    ("program", "region"): {COVER, FAQ_PAGE, FLYER, POSTER, LARGE},
    ("program", "short_name"): TABS,
    ("cities",): {BACK},
    ("closing",): {BACK, FAQ_PAGE, LARGE},
    ("trifold", "cover"): {COVER, POSTER},
    ("trifold", "cover", "headline"): {FLYER},
    ("trifold", "cover", "call"): {FLYER},
    ("trifold", "flap"): {("trifold", "flap")},
    ("trifold", "back"): {BACK},
    ("trifold", "back", "how_to_reach"): {FLYER},
    ("trifold", "inside_left"): {("trifold", "inside-left")},
    ("trifold", "inside_middle"): {("trifold", "inside-middle")},
    ("trifold", "inside_right"): {("trifold", "inside-right")},
    ("faq",): {FAQ_PAGE, LARGE},
    ("card", "front"): {("wallet-card", "front")},
    ("card", "back"): {("wallet-card", "back")},
    ("card", "back", "qr_caption"): {POSTER},
}
BOX_WORD = {
    "trifold": " panel",
    "faq": "",
    "wallet-card": " face",
    "tear-off-flyer": "",
    "poster": "",
}

GLYPH = re.compile(
    r"^content\.yml:(\d+): ([\w.]+): the fonts have no character (.+) \(U\+([0-9A-F]{4,6})\); "
    r"remove it or ask a designer to add a font that has it$"
)
DOCUMENT = r"(trifold|faq|wallet-card|tear-off-flyer|poster)"
OVERFLOW = re.compile(
    rf"^{DOCUMENT}: ([\w -]+?)( panel| face)? overflows by (about|at least) "
    r"(\d+) lines?; shorten its text in content\.yml$"
)
WIDE = re.compile(
    rf"^{DOCUMENT}: a line in the ([\w -]+?)( panel| face)? is (\d+\.\d\d) in wider than the "
    r"box \(words or a number that cannot break\); shorten it in content\.yml, or make its "
    r"type smaller$"
)
#: Large print: more than its four pages, or a question split from its answer.
LARGE_PRINT = re.compile(
    r"^faq-large-print: (laid out on \d+ page\(s\) but must have 1 to 4; shorten the text it "
    r"shows, or make the type smaller|.+ is split across pages \d+ and \d+; shorten it in "
    r"content\.yml so it fits on one page)$"
)


def set_at(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def get_at(data, path):
    for key in path:
        data = data[key]
    return data


@st.composite
def contents(draw):
    data = copy.deepcopy(BASE)
    for path in draw(st.lists(st.sampled_from(TEXT_PATHS), max_size=4, unique=True)):
        set_at(data, path, draw(TEXT))
    if draw(st.integers(0, 7)) == 7:
        set_at(data, draw(st.sampled_from(LIST_PATHS)), [])
    return data


def changed(*changes) -> dict:
    """BASE with some fields replaced: (path, value) pairs."""
    data = copy.deepcopy(BASE)
    for path, value in changes:
        set_at(data, path, value)
    return data


UNBREAKABLE = "Supercalifragilisticexpialidocious" * 6


# --- the oracle ------------------------------------------------------------------------------


def dotted(path) -> str:
    return ".".join(str(key) for key in path)


def shown_in(path) -> set[tuple[str, str]]:
    return set().union(
        *(boxes for prefix, boxes in PRINTED.items() if path[: len(prefix)] == prefix)
    )


def content_problem(value: str) -> str | None:
    """What content validation must say about one text field, or None when it is valid."""
    text = value.strip()
    if not text:
        return "must not be empty"
    if len(text) > MAX_TEXT:  # the limit is on the trimmed text; the count is of all of it
        return f"is too long ({len(value)} characters; at most {MAX_TEXT} fit)"
    for char in text:
        category = unicodedata.category(char)
        if char not in FORMAT_ALLOWED and category in {"Cc", "Cf"}:
            kind = "a control" if category == "Cc" else "an invisible control"
            why = ": right-to-left text is handled by the templates" if char in BIDI else ""
            name = unicodedata.name(char)
            return f"contains {kind} character U+{ord(char):04X} ({name}); remove it{why}"
    return None


def line_numbers(text: str) -> dict[tuple, int]:
    """1-based line of every value in the YAML as written, by path."""
    found: dict[tuple, int] = {}

    def walk(node, path):
        found[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                walk(value, (*path, index))

    walk(yaml.compose(text), ())
    return found


def changed_fields(data) -> dict[tuple, str]:
    base = dict.fromkeys(TEXT_PATHS)
    for path in TEXT_PATHS:
        base[path] = get_at(BASE, path)
    return {p: get_at(data, p) for p in text_paths(data) if base.get(p) != get_at(data, p)}


def expected_content_lines(data, lines: dict[tuple, int]) -> list[str]:
    expected = []
    for path, value in changed_fields(data).items():
        problem = content_problem(value)
        if problem:
            expected.append(f"content.yml:{lines[path]}: {dotted(path)}: {problem}")
    for path in LIST_PATHS:
        if get_at(data, path) == []:
            expected.append(
                f"content.yml:{lines[path]}: {dotted(path)}: must have at least one entry"
            )
    return expected


def judge_render_lines(data, lines: dict[tuple, int], got: list[str]) -> None:
    """Content is valid, so each line must be an overflow or a missing glyph that a changed,
    printed field explains. A document that overflows is never written, so only the documents
    that fit report their missing glyphs; and those must report every one."""
    changed = changed_fields(data)
    boxes = set().union(*(shown_in(p) for p in changed))
    overflowing = set()
    for line in got:
        if overflow := OVERFLOW.match(line) or WIDE.match(line):
            document, box, word, *_how, amount = overflow.groups()
            assert (word or "") == BOX_WORD[document], line
            assert (document, box) in boxes, f"{line!r}: no changed field is printed there"
            assert float(amount) > 0
            overflowing.add(document)
        elif LARGE_PRINT.match(line):
            assert LARGE in boxes, f"{line!r}: no changed field is printed there"
            overflowing.add(LARGE[0])
    missing = set()
    for path, value in changed.items():
        if any(document not in overflowing for document, _box in shown_in(path)):
            missing |= set(value) & NO_GLYPH
    named = set()
    for line in got:
        if OVERFLOW.match(line) or WIDE.match(line) or LARGE_PRINT.match(line):
            continue
        glyph = GLYPH.match(line)
        assert glyph, f"not a message this content calls for: {line!r}"
        number, field, shown, code = glyph.groups()
        char = chr(int(code, 16))
        path = next((p for p in changed if dotted(p) == field), None)
        assert path is not None, f"{line!r} names a field that was not changed"
        assert char in changed[path] and char in missing, line
        assert shown == repr(char) and int(number) == lines[path], line
        named.add(char)
    assert named == missing, (named, missing)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: the cases are the same on every run, and shrinking renders for minutes.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(contents())
# Each kind of outcome at least once, whatever the generated cases turn out to be:
@example(changed((("faq", "intro"), "😀 hi"), (("card", "back", "line"), "שלום")))  # glyphs
@example(  # the tri-fold overflows, so its missing glyph is never reached
    changed(
        (("trifold", "inside_left", "heading"), "Título م"),
        (("trifold", "inside_right", "call"), UNBREAKABLE),
    )
)
@example(changed((("faq", "intro"), "😀 hi"), (("program", "name"), "a b " * 300)))
@example(changed((("card", "front", "label"), UNBREAKABLE)))  # the card's front overflows
@example(changed((("program", "short_name"), "x😀")))  # printed nowhere: builds
@example(
    changed(
        (("faq", "intro"), ""),
        (("card", "back", "line"), " \u00a0"),
        (("closing",), []),
        (("trifold", "back", "how_to_reach", 0), "Llame\u200f"),
        (("trifold", "flap", "heading"), "  " + "x" * 1600 + " "),
    )
)
def test_random_content_builds_or_fails_with_the_message_its_mistake_calls_for(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    lines = line_numbers(text)
    expected = expected_content_lines(data, lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "content.yml"
        path.write_text(text, encoding="utf-8")
        try:
            _, outputs = check(BuildOptions.create(path))
        except BrochureError as exc:
            got = list(exc.lines)
            assert got
            if expected:
                event("content: " + " + ".join(sorted({g.split(": ")[2][:10] for g in got})))
                assert sorted(got) == sorted(expected)
            else:
                kinds = {"overflows": "fit", "no character": "glyph"}
                event(" + ".join(sorted({k for m, k in kinds.items() for g in got if m in g})))
                judge_render_lines(data, lines, got)
            return
    event("built")
    assert not expected, expected
    judge_render_lines(data, lines, [])
    assert [o.spec.name for o in outputs] == list(DOCUMENTS)
    for output in outputs:
        fewest, most = output.spec.page_range
        assert fewest <= len(PdfReader(io.BytesIO(output.pdf)).pages) <= most
