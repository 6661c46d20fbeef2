"""The corpus of broken inputs: every mistake ends in its exact message, exit status 1, and an
output folder left byte for byte as it was.

tests/corpus/base.yml is a small valid content file; content/*.yml each break it once.
template-cases.yml changes one real template per case (find -> replace) in a copy.
tests/corpus/expected.yml holds the exact stderr lines for each case.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest
import yaml

from brochure.cli import NOTHING_WRITTEN, main
from brochure.paths import PROJECT_ROOT

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yml").read_text(encoding="utf-8"))
CONTENT_CASES = sorted(p.stem for p in (CORPUS / "content").glob("*.yml"))
PATCHES = yaml.safe_load((CORPUS / "template-cases.yml").read_text(encoding="utf-8"))
TEMPLATE_CASES = sorted(PATCHES)


def broken_templates(case: str, folder: Path) -> tuple[Path, list[str]]:
    """A copy of the real templates with CASE's one change, and its expected messages."""
    templates = folder / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", templates)
    patch = PATCHES[case]
    path = templates / patch["file"]
    text = path.read_text(encoding="utf-8")
    if "append" in patch:
        text += patch["append"]
    else:
        assert text.count(patch["find"]) >= 1, f"{case}: {patch['find']!r} not in the template"
        where = text.rindex(patch["find"]) if patch.get("last") else text.index(patch["find"])
        text = text[:where] + patch["replace"] + text[where + len(patch["find"]) :]
    path.write_text(text, encoding="utf-8")
    at = patch.get("at") or patch.get("replace", "").split("\n")[0]
    index = text.rindex(at) if patch.get("at_last") else text.index(at)
    line = text.count("\n", 0, index) + 1
    return templates, [message.replace("{line}", str(line)) for message in EXPECTED[case]]


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def previous_build(built, tmp_path) -> Path:
    """An output folder holding a good earlier build, as front-desk staff would have."""
    out = tmp_path / "build"
    shutil.copytree(next(iter(built.values())).parent.parent, out)
    return out


def run_and_check(args: list[str], case: str, out: Path, capsys, expected=None) -> None:
    before = snapshot(out)
    assert before, "the earlier build should not be empty"
    status = main([*args, "--out", str(out), "--workers", "1"])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err.splitlines() == [*(expected or EXPECTED[case]), NOTHING_WRITTEN]
    assert "Traceback" not in captured.err
    assert "wrote" not in captured.out
    assert snapshot(out) == before


def test_corpus_is_large_enough():
    assert len(CONTENT_CASES) + len(TEMPLATE_CASES) >= 25
    assert set(EXPECTED) == set(CONTENT_CASES) | set(TEMPLATE_CASES)


def test_base_of_the_corpus_is_valid(tmp_path, capsys):
    assert main(["check", "--content", str(CORPUS / "base.yml")]) == 0


@pytest.mark.parametrize("case", CONTENT_CASES)
def test_broken_content(case, previous_build, capsys):
    content = CORPUS / "content" / f"{case}.yml"
    run_and_check(["build", "--content", str(content)], case, previous_build, capsys)


@pytest.mark.parametrize("case", TEMPLATE_CASES)
def test_broken_template(case, previous_build, tmp_path, capsys):
    templates, expected = broken_templates(case, tmp_path)
    args = ["build", "--content", str(CORPUS / "base.yml"), "--templates", str(templates)]
    run_and_check(args, case, previous_build, capsys, expected)


@pytest.mark.parametrize("case", ["phone-too-short", "css-typo"])
def test_check_reports_the_same_and_writes_nothing(case, tmp_path, capsys):
    if case in CONTENT_CASES:
        args = ["check", "--content", str(CORPUS / "content" / f"{case}.yml")]
        expected = EXPECTED[case]
    else:
        templates, expected = broken_templates(case, tmp_path)
        args = ["check", "--content", str(CORPUS / "base.yml"), "--templates", str(templates)]
    assert main(args) == 1
    assert capsys.readouterr().err.splitlines() == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == (["templates"] if "css" in case else [])


@pytest.mark.parametrize("case", CONTENT_CASES)
def test_check_gives_the_same_messages_as_build(case, capsys):
    """`brochure check` reports each broken content file exactly as `build` does."""
    assert main(["check", "--content", str(CORPUS / "content" / f"{case}.yml")]) == 1
    assert capsys.readouterr().err.splitlines() == EXPECTED[case]


def test_messages_keep_the_documents_order_whoever_finishes_first(monkeypatch, capsys):
    """Workers finish in any order; the report of one file is the same every time."""
    from brochure import workers

    real = workers.run_jobs

    def last_first(jobs, count, on_result, pool=None):
        results = []
        real(jobs, 1, results.append, None)
        for result in reversed(results):
            on_result(result)

    monkeypatch.setattr(workers, "run_jobs", last_first)
    assert main(["check", "--content", str(CORPUS / "content" / "fit-cover-panel.yml")]) == 1
    assert capsys.readouterr().err.splitlines() == EXPECTED["fit-cover-panel"]


def test_every_content_case_through_a_running_serve(tmp_path):
    """One `brochure serve`; each broken file saved over content.yml in turn must show its
    exact messages on the page (as a problem event), and the server must keep running."""
    from tests.serving import iter_events, spawn

    project = tmp_path / "corpus" / "content"  # same depth as tests/corpus/content
    project.mkdir(parents=True)
    content = project / "content.yml"
    shutil.copy(CORPUS / "base.yml", content)
    process, url = spawn(content, tmp_path / "out")

    def shown_for(case: str, expected: str) -> str | None:
        """Save CASE over content.yml; the problem the page shows that matches, or the last."""
        connected, seen = threading.Event(), []

        def listen() -> None:
            for event, data in iter_events(url + "__events", 60, connected):
                if event == "problem":
                    seen.append(data)
                    if data == expected:
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert connected.wait(30), case
        content.write_bytes((CORPUS / "content" / f"{case}.yml").read_bytes())
        listener.join(timeout=60)
        return seen[-1] if seen else None

    try:
        for case in CONTENT_CASES:
            expected = "\n".join(
                line.replace(f"{case}.yml", "content.yml") for line in EXPECTED[case]
            )
            assert shown_for(case, expected) == expected, case
            assert process.poll() is None, case
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "Traceback" not in "".join(process.output)
