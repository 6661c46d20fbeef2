"""Random, well-typed content never ends in a traceback: the build either succeeds with the
right page counts, or fails with one of the documented messages."""

from __future__ import annotations

import copy
import io
import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from brochure.build import check
from brochure.documents import DOCUMENTS
from brochure.errors import BrochureError
from brochure.options import BuildOptions

BASE = yaml.safe_load((Path(__file__).parent / "corpus" / "base.yml").read_text())

DOCUMENTED = [
    # content.yml:LINE[:COL]: field: message
    re.compile(r"^content\.yml:\d+(:\d+)?: .+$"),
    # fit: "trifold: inside-middle panel overflows by about 4 lines; shorten ..."
    re.compile(
        r"^(trifold|faq|wallet-card): [\w-]+( panel| face)? overflows by (about|at least) "
        r"\d+ lines?; shorten its text in \S+\.yml$"
    ),
]

LATIN = list("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;:!?'’“”-–()") + list(
    "áéíóúñçãõâêôàüÁÉÑÇ"  # Spanish and Portuguese
)
EXOTIC = ["😀", "🙏", "❤", "\ufe0f", "\u200d", *"שלום مرحبا", "\u200f", "\u00a0", "\t"]
SHORT = st.text(st.sampled_from(LATIN), min_size=1, max_size=60)
TEXT = st.one_of(
    SHORT,
    SHORT,
    st.text(st.sampled_from(LATIN), min_size=200, max_size=1600),  # long strings
    st.text(st.sampled_from(LATIN + EXOTIC), min_size=0, max_size=40),  # emoji, RTL, empty
    st.just("Supercalifragilisticexpialidocious" * 6),  # one unbreakable word
)


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


def set_at(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


@st.composite
def contents(draw):
    data = copy.deepcopy(BASE)
    for path in draw(st.lists(st.sampled_from(TEXT_PATHS), max_size=6, unique=True)):
        set_at(data, path, draw(TEXT))
    if draw(st.integers(0, 4)) == 0:
        set_at(data, draw(st.sampled_from(LIST_PATHS)), [])
    return data


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(contents())
def test_random_content_builds_or_fails_with_a_documented_message(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "content.yml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        try:
            _, outputs = check(BuildOptions.create(path))
        except BrochureError as exc:
            kinds = {"overflows": "fit", "no character": "glyph", "empty": "empty"}
            event(next((k for m, k in kinds.items() if m in exc.lines[0]), "other content"))
            assert exc.lines
            for line in exc.lines:
                assert any(p.match(line) for p in DOCUMENTED), line
            return
    event("built")
    assert [o.spec.name for o in outputs] == list(DOCUMENTS)
    for output in outputs:
        assert len(PdfReader(io.BytesIO(output.pdf)).pages) == output.spec.pages
