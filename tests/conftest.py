from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brochure.build import build
from brochure.content import load_content
from brochure.documents import Profile
from brochure.options import BuildOptions
from brochure.paths import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content.yml"
#: Every language content.yml names (English first), and the cities with tri-folds of their own.
LANGUAGES = ("en", *load_content(CONTENT).translations)
CITIES = tuple(load_content(CONTENT).city_editions)
#: What a full build of the project writes: seven documents per language (tri-fold, FAQ, card,
#: card sheet, tear-off flyer, poster, large-print FAQ), a tri-fold per city. Counted by hand.
DOCUMENT_NAMES = (
    "trifold",
    "faq",
    "wallet-card",
    "wallet-card-sheet",
    "tear-off-flyer",
    "poster",
    "faq-large-print",
)
PER_LANGUAGE = len(DOCUMENT_NAMES)
OFFICE_FILES = len(LANGUAGES) * (PER_LANGUAGE + len(CITIES))


def run_brochure(*args: str, cwd: Path = PROJECT_ROOT, timeout: float = 120):
    """`python -m brochure ARGS` in a child process (killed if it hangs): what a person runs."""
    return subprocess.run(
        [sys.executable, "-m", "brochure", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first OLD in a file with NEW; OLD must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def build_into(out: Path, content: Path = CONTENT, **choices) -> list:
    """Build through the same options object the command line makes; the files written."""
    return build(BuildOptions.create(content, out=out, **choices)).built


@pytest.fixture
def project(tmp_path) -> Path:
    """A small valid project, safe to change: tests/corpus/base.yml (English only, no
    translations) as content.yml, and a copy of the templates. Returns its folder."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(Path(__file__).parent / "corpus" / "base.yml", folder / "content.yml")
    shutil.copytree(PROJECT_ROOT / "templates", folder / "templates")
    return folder


@pytest.fixture(scope="session")
def content():
    return load_content(CONTENT)


def english(results) -> dict[str, Path]:
    return {b.document: b.path for b in results if b.edition == "en"}


@pytest.fixture(scope="session")
def built_all(tmp_path_factory):
    """Every edition's documents, built once for the whole session from the real content.yml."""
    return build_into(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def built(built_all) -> dict[str, Path]:
    """The English edition: document name -> PDF path."""
    return english(built_all)


@pytest.fixture(scope="session")
def built_press_all(tmp_path_factory):
    """Every edition's press files, built once for the whole session."""
    return build_into(tmp_path_factory.mktemp("press"), profile=Profile("press"))


@pytest.fixture(scope="session")
def built_press(built_press_all) -> dict[str, Path]:
    return english(built_press_all)


@pytest.fixture(scope="session")
def built_proof(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("proof")
    profile = Profile("press", proof=True)
    return english(build_into(out, profile=profile))


def pytest_addoption(parser):
    parser.addoption(
        "--update-references",
        action="store_true",
        help="re-render tests/references/*.png from the current templates",
    )
