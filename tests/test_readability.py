"""Plain, readable handouts: type sizes and colour contrast (DESIGN.md: body text at least
11 pt, contrast at least 4.5:1)."""

from __future__ import annotations

import re

import pytest

from brochure.editions import load_editions
from brochure.paths import PROJECT_ROOT
from tests.conftest import CONTENT, LANGUAGES, build_into
from tests.pdfread import printed_runs

BAND = "DRAFT TRANSLATION"
#: The edition code, 7.5 pt fine print at the foot of every piece (tests/test_edition_code.py).
CODE = re.compile(r"^[A-Z]+(-[A-Z0-9]+)?-[0-9]{2}$")


def type_sizes(path) -> dict[float, set[str]]:
    """Every printed type size in a PDF, with the runs of text set in it."""
    sizes: dict[float, set[str]] = {}
    for size, text in printed_runs(path):
        sizes.setdefault(round(size, 1), set()).add(text.strip())
    return sizes


def crisis_words(edition) -> str:
    """Everything the crisis box prints (heading, lines, the card's line), as printed."""
    crisis = edition.content.crisis
    return " ".join([crisis.heading, *map(crisis.printed, [*crisis.lines, crisis.card])])


@pytest.mark.parametrize(
    ("edition", "files"), [("en", 2), ("es", 2), ("pt-BR", 2), ("en-worcester", 1)]
)
def test_trifold_and_faq_text_is_at_least_11pt(built_all, edition, files):
    """Except the draft band, the edition code (7.5 pt fine print) and the crisis box, small
    and quiet beside the call box by design (9 pt, the legibility check's minimum)."""
    words = crisis_words(next(e for e in load_editions(CONTENT) if e.name == edition))
    checked = 0
    for b in built_all:
        if b.edition == edition and b.document in ("trifold", "faq"):
            sizes = type_sizes(b.path)
            small = {s: t for s, t in sizes.items() if s < 11}
            assert {t for t in small.pop(7.5) if not CODE.match(t)} == set(), b.path
            crisis = small.pop(9.0)
            assert all(t in words for t in crisis), (b.path, crisis)
            assert all(BAND in t for s, texts in small.items() for t in texts), (b.path, small)
            checked += 1
    assert checked == files


def test_card_text_is_at_least_11pt_except_the_scan_label_crisis_line_and_code(built):
    """The caption under the code (9 pt), "24/7: call or text 988" (10 pt) and the edition
    code (7.5 pt, fine print)."""
    small = {s: t for s, t in type_sizes(built["wallet-card"]).items() if s < 11}
    assert small == {9.0: {"Scan to call"}, 10.0: {"24/7: call or", "text", "988"}, 7.5: {"EN-26"}}


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_text_colour_pair_in_the_tokens_has_enough_contrast():
    css = (PROJECT_ROOT / "templates" / "css" / "tokens.css").read_text()
    tokens = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [  # (text, background) as the stylesheets use them
        ("ink", "paper"),
        ("brand", "paper"),
        ("accent", "paper"),
        ("paper", "brand"),
        ("ink", "brand-soft"),
        ("accent", "brand-soft"),
        ("paper", "warning"),
    ]
    for text, background in pairs:
        ratio = contrast(tokens[text], tokens[background])
        assert ratio >= 4.5, (text, background, round(ratio, 2))


def test_parallel_and_single_process_builds_give_the_same_bytes(built_all, tmp_path):
    single = build_into(tmp_path, documents=("faq",), workers=1)
    parallel = {(b.edition, b.document): b.path for b in built_all}
    assert len(single) == len(LANGUAGES)
    for b in single:
        assert b.path.read_bytes() == parallel[(b.edition, b.document)].read_bytes(), b.edition
