"""The command line as a front-desk person or designer uses it."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from brochure.cli import NOTHING_WRITTEN, main
from brochure.paths import PROJECT_ROOT
from tests.conftest import DOCUMENT_NAMES, LANGUAGES, run_brochure

CONTENT = PROJECT_ROOT / "content.yml"


def test_list_names_every_document():
    result = run_brochure("list")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == list(DOCUMENT_NAMES)
    assert "Tabloid paper (11 x 17 in), or have it printed" in result.stdout
    assert "flip on SHORT edge" in result.stdout
    assert "flip on LONG edge" in result.stdout


LINE = re.compile(
    r"(?P<edition>[\w-]+) +(?P<document>[\w-]+) +(?P<pages>\d) pages? +\d+ KB +\d+\.\d\d s  "
    r"(?P<path>\S+)"
)


def test_build_one_document_prints_a_line_per_file_and_a_summary(tmp_path):
    result = run_brochure("build", "faq", "--content", str(CONTENT), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    *lines, summary = result.stdout.splitlines()
    found = {m["edition"]: m for m in map(LINE.fullmatch, lines)}
    assert sorted(found) == sorted(LANGUAGES)
    for edition, match in found.items():
        assert match["document"] == "faq" and match["pages"] == "1"
        assert match["path"] == f"{tmp_path}/{edition}/faq.pdf"
        assert (tmp_path / edition / "faq.pdf").is_file()
    assert re.fullmatch(
        rf"wrote {len(LANGUAGES)} files \(\d+ KB\) to {re.escape(str(tmp_path))} in \d+\.\d s",
        summary,
    )
    assert "es: translation not yet reviewed" in result.stderr


def test_sheet_alone_builds_without_writing_the_card(tmp_path, capsys):
    assert (
        main(["build", "wallet-card-sheet", "--out", str(tmp_path), "--content", str(CONTENT)]) == 0
    )
    for edition in ("en", "es", "pt-BR"):
        assert sorted(p.name for p in (tmp_path / edition).iterdir()) == ["wallet-card-sheet.pdf"]


@pytest.mark.parametrize(
    "args",
    [
        ("build", "leaflet"),
        ("build", "faq", "bogusdoc"),
        ("check", "leaflet"),
        ("build", "wallet-card-sheets"),
    ],
)
def test_unknown_document_is_a_usage_error(tmp_path, args):
    """A mistyped document name is a command-line mistake: exit 2, one sentence, no build."""
    result = (
        run_brochure(*args, "--out", str(tmp_path)) if args[0] == "build" else run_brochure(*args)
    )
    assert result.returncode == 2
    unknown = ", ".join(a for a in args[1:] if a not in ("faq",))
    assert result.stderr.splitlines()[-1] == (
        f"brochure: error: unknown document: {unknown} "
        "(choose from: trifold, faq, wallet-card, wallet-card-sheet, tear-off-flyer, poster, "
        "faq-large-print)"
    )
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_content_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "nope.yml"
    result = run_brochure("build", "--content", str(missing), "--out", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{missing}: file not found; pass --content PATH to use another file",
        NOTHING_WRITTEN,
    ]


def test_bad_usage_exits_2():
    assert run_brochure("frobnicate").returncode == 2
    assert run_brochure("build", "--nope").returncode == 2


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
    assert not list(tmp_path.rglob("*.tmp"))


def test_output_folder_that_is_a_file_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "build"
    blocker.write_text("not a folder")
    status = main(["build", "faq", "--out", str(blocker), "--content", str(CONTENT)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.splitlines() == [
        f"{blocker}: is a file, not a folder; pass --out with a folder",
        NOTHING_WRITTEN,
    ]
    assert blocker.read_text() == "not a folder"


def test_missing_pango_is_one_clear_line(monkeypatch):
    """Without Pango, importing WeasyPrint raises OSError; we say which packages to install."""
    import builtins

    from brochure.errors import BrochureError
    from brochure.pdf import load_weasyprint

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    with pytest.raises(BrochureError) as info:
        load_weasyprint()
    (line,) = info.value.lines
    assert line.startswith(
        "WeasyPrint cannot find the Pango text library. On Debian or Ubuntu run:"
    )
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in line
