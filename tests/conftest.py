from __future__ import annotations

from pathlib import Path

import pytest

from brochure.build import PROJECT_ROOT, build
from brochure.content import load_content
from brochure.documents import Profile

CONTENT = PROJECT_ROOT / "content.yml"


@pytest.fixture(scope="session")
def content():
    return load_content(CONTENT)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """Build every document once for the whole session, from the real content.yml."""
    out = tmp_path_factory.mktemp("build")
    return {b.path.stem: b.path for b in build([], CONTENT, out)}


@pytest.fixture(scope="session")
def built_press(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("press")
    return {b.path.stem: b.path for b in build([], CONTENT, out, profile=Profile("press"))}


@pytest.fixture(scope="session")
def built_proof(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("proof")
    profile = Profile("press", proof=True)
    return {b.path.stem: b.path for b in build([], CONTENT, out, profile=profile)}
