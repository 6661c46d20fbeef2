"""The command line as a front-desk person or designer uses it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brochure.build import PROJECT_ROOT
from brochure.cli import main

CONTENT = PROJECT_ROOT / "content.yml"


def run(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brochure", *args], cwd=cwd, capture_output=True, text=True
    )


def test_list_names_every_document():
    result = run("list")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["trifold", "faq", "wallet-card", "wallet-card-sheet"]
    assert "flip on SHORT edge" in result.stdout
    assert "flip on LONG edge" in result.stdout


def test_build_one_document_prints_a_summary_line(tmp_path):
    result = run("build", "faq", "--content", str(CONTENT), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert re.fullmatch(
        rf"{re.escape(str(tmp_path))}/en/faq\.pdf  1 page  \d+ KB  \d+\.\d\d s", line
    )
    assert sorted(p.name for p in (tmp_path / "en").iterdir()) == ["faq.pdf"]


def test_sheet_alone_builds_without_writing_the_card(tmp_path, capsys):
    assert (
        main(["build", "wallet-card-sheet", "--out", str(tmp_path), "--content", str(CONTENT)]) == 0
    )
    assert sorted(p.name for p in (tmp_path / "en").iterdir()) == ["wallet-card-sheet.pdf"]


def test_unknown_document_is_a_clear_error(tmp_path):
    result = run("build", "poster", "--out", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "unknown document: poster (choose from: trifold, faq, wallet-card, wallet-card-sheet)"
    )
    assert "Traceback" not in result.stderr
    assert not tmp_path.joinpath("en").exists()


def test_missing_content_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "nope.yml"
    result = run("build", "--content", str(missing), "--out", str(tmp_path))
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"{missing}: file not found; pass --content PATH to use another file"
    )


def test_bad_usage_exits_2():
    assert run("frobnicate").returncode == 2
    assert run("build", "--nope").returncode == 2


def test_installed_command_exists():
    assert shutil.which("brochure", path=str(Path(sys.executable).parent)), "brochure not on PATH"


def test_output_files_are_readable_by_everyone(tmp_path):
    assert main(["build", "faq", "--out", str(tmp_path), "--content", str(CONTENT)]) == 0
    assert (tmp_path / "en" / "faq.pdf").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("document", ["trifold", "wallet-card"])
def test_rebuild_replaces_file_and_leaves_no_temp_files(tmp_path, document):
    for _ in range(2):
        assert main(["build", document, "--out", str(tmp_path), "--content", str(CONTENT)]) == 0
    assert [p.name for p in (tmp_path / "en").iterdir()] == [f"{document}.pdf"]


def test_output_folder_that_is_a_file_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "build"
    blocker.write_text("not a folder")
    status = main(["build", "faq", "--out", str(blocker), "--content", str(CONTENT)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith(f"{blocker}/en/faq.pdf: cannot write the PDF (")
    assert "Traceback" not in err
    assert blocker.read_text() == "not a folder"
