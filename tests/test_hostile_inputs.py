"""Inputs the corpus cannot hold: pipes, folders, links, /dev/zero, alias bombs, translations.

Each ends in one sentence naming file, line and field, exit status 1 and no traceback, from
`brochure check` and from `brochure build`. Whatever could hang runs in a subprocess with a
timeout, so a regression fails the test instead of stalling the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brochure.cli import NOTHING_WRITTEN, main
from brochure.content import load_content
from brochure.paths import PROJECT_ROOT
from tests.conftest import edit

SPANISH = "  es: translations/es.yml\n"

#: Nineteen levels of three aliases, each level its own small mapping: a billion "lol"s once
#: expanded, under 600 bytes as written.
LAUGHS = "a: &a {x: lol, y: lol, z: lol}\n" + "".join(
    f"{this}: &{this} {{x: *{last}, y: *{last}, z: *{last}}}\n"
    for last, this in zip("abcdefghijklmnopqrs", "bcdefghijklmnopqrst", strict=False)
)


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of content.yml and its translations, safe to break."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(PROJECT_ROOT / "content.yml", folder / "content.yml")
    shutil.copytree(PROJECT_ROOT / "translations", folder / "translations")
    return folder / "content.yml"


def line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def in_process(content: Path, tmp_path: Path, capsys) -> dict[str, list[str]]:
    """stderr lines of `check` and of `build`, each asserted to fail cleanly and write nothing."""
    found = {}
    out = tmp_path / "out"
    for command in ("check", "build"):
        extra = ["--out", str(out)] if command == "build" else []
        assert main([command, "--content", str(content), "--workers", "1", *extra]) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        found[command] = err.splitlines()
    assert not out.exists()
    return found


def in_subprocess(content: Path, tmp_path: Path) -> dict[str, list[str]]:
    """The same, in a child process that is killed if it hangs."""
    found = {}
    out = tmp_path / "out"
    for command in ("check", "build"):
        extra = ["--out", str(out)] if command == "build" else []
        result = subprocess.run(
            [sys.executable, "-m", "brochure", command, "--content", str(content), *extra],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        found[command] = result.stderr.splitlines()
    assert not out.exists()
    return found


def assert_both_say(found: dict[str, list[str]], message: str) -> None:
    assert found["check"] == [message]
    assert found["build"] == [message, NOTHING_WRITTEN]


# --- 1. anchors and aliases ------------------------------------------------------------------


def test_billion_laughs_in_nested_mappings_is_refused_at_once(tmp_path):
    content = tmp_path / "content.yml"
    content.write_text(LAUGHS, encoding="utf-8")
    assert len(LAUGHS.encode()) < 600
    found = in_subprocess(content, tmp_path)
    assert_both_say(
        found,
        "content.yml:2: b.x: anchors and aliases (& and *) are not supported; "
        "write the text out in full",
    )


def test_billion_laughs_inside_real_content(project, tmp_path):
    laughs = "laughs:\n" + "".join(f"  {line}\n" for line in LAUGHS.splitlines())
    edit(project, "revised: 2026-11-27\n", "revised: 2026-11-27\n" + laughs)
    found = in_subprocess(project, tmp_path)
    where = line_of(project, "b: &b")
    assert_both_say(
        found,
        f"content.yml:{where}: laughs.b.x: anchors and aliases (& and *) are not supported; "
        "write the text out in full",
    )


def test_alias_in_a_translation_file(project, tmp_path):
    spanish = project.parent / "translations" / "es.yml"
    edit(spanish, "  short_name: IOP\n", "  short_name: &short IOP\n  region: *short\n")
    edit(spanish, "  region: Massachusetts\n", "")
    found = in_subprocess(project, tmp_path)
    where = line_of(spanish, "region: *short")
    assert_both_say(
        found,
        f"translations/es.yml:{where}: program.region: anchors and aliases (& and *) are not "
        "supported; write the text out in full",
    )


def test_bomb_in_a_translation_file(project, tmp_path):
    spanish = project.parent / "translations" / "es.yml"
    spanish.write_text(LAUGHS, encoding="utf-8")
    found = in_subprocess(project, tmp_path)
    assert_both_say(
        found,
        "translations/es.yml:2: b.x: anchors and aliases (& and *) are not supported; "
        "write the text out in full",
    )


def test_ten_thousand_brackets_deep(tmp_path):
    content = tmp_path / "content.yml"
    content.write_text("language: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    found = in_subprocess(content, tmp_path)
    (line,) = found["check"]
    assert line.startswith("content.yml:1:")
    assert "nested" in line or "nesting" in line


# --- 2. confine, then read -------------------------------------------------------------------


def test_missing_translation_file(project, tmp_path, capsys):
    edit(project, SPANISH, "  es: translations/spanish.yml\n")
    where = line_of(project, "  es: translations/")
    assert_both_say(
        in_process(project, tmp_path, capsys),
        f"content.yml:{where}: translations.es: 'translations/spanish.yml' was not found; "
        "check the file name (paths are relative to the folder of content.yml)",
    )


@pytest.mark.parametrize(
    ("written", "complaint"),
    [
        ("translations", "'translations' is a folder, not a file; name a .yml file"),
        (
            "5",
            "must be a file name, not a number (5); write the path of the file relative to "
            "the folder of content.yml",
        ),
        (
            "[es.yml]",
            "must be a file name, not a list; write the path of the file relative to "
            "the folder of content.yml",
        ),
        (
            "/etc/hostname",
            "'/etc/hostname' is an absolute path; write the path of the file "
            "relative to the folder of content.yml",
        ),
    ],
)
def test_translation_path_that_is_not_a_file_name(project, tmp_path, capsys, written, complaint):
    edit(project, SPANISH, f"  es: {written}\n")
    where = line_of(project, "  es: ")
    found = in_process(project, tmp_path, capsys)
    assert_both_say(found, f"content.yml:{where}: translations.es: {complaint}")


def test_dev_zero_as_a_translation_is_never_read(project, tmp_path):
    edit(project, SPANISH, "  es: ../../../../../../../../../../dev/zero\n")
    where = line_of(project, "  es: ../")
    assert_both_say(
        in_subprocess(project, tmp_path),
        f"content.yml:{where}: translations.es: '../../../../../../../../../../dev/zero' is "
        "outside the project folder; copy the file into it",
    )


@pytest.mark.parametrize("target", ["/dev/zero", "outside.yml"])
def test_link_out_of_the_project_is_refused(project, tmp_path, target):
    outside = tmp_path / "outside.yml"
    shutil.copy(project.parent / "translations" / "es.yml", outside)
    spanish = project.parent / "translations" / "es.yml"
    spanish.unlink()
    spanish.symlink_to(target if target.startswith("/") else outside)
    where = line_of(project, SPANISH)
    assert_both_say(
        in_subprocess(project, tmp_path),
        f"content.yml:{where}: translations.es: 'translations/es.yml' is outside the project "
        "folder; copy the file into it",
    )


def test_fifo_as_a_translation_does_not_hang(project, tmp_path):
    spanish = project.parent / "translations" / "es.yml"
    spanish.unlink()
    os.mkfifo(spanish)
    where = line_of(project, SPANISH)
    assert_both_say(
        in_subprocess(project, tmp_path),
        f"content.yml:{where}: translations.es: 'translations/es.yml' is a named pipe (FIFO), "
        "not a file; name a .yml file",
    )


def test_fifo_as_the_content_file_does_not_hang(tmp_path):
    pipe = tmp_path / "content.yml"
    os.mkfifo(pipe)
    assert_both_say(
        in_subprocess(pipe, tmp_path),
        f"{pipe}: is a named pipe (FIFO), not a file; pass the path of a content file",
    )


def test_huge_translation_is_refused_before_reading(project, tmp_path, capsys):
    spanish = project.parent / "translations" / "es.yml"
    with spanish.open("ab") as handle:
        handle.truncate(600 * 1024)
    where = line_of(project, SPANISH)
    assert_both_say(
        in_process(project, tmp_path, capsys),
        f"content.yml:{where}: translations.es: 'translations/es.yml': the file is 600 KB; "
        "a content file is at most 512 KB. Is this the right file?",
    )


# --- what must keep working ------------------------------------------------------------------


def test_byte_order_mark_is_fine(project):
    project.write_bytes(b"\xef\xbb\xbf" + project.read_bytes())
    assert load_content(project).language == "en"


def test_joiners_and_soft_hyphen_are_kept(project):
    # ZWNJ and ZWJ shape Persian and Devanagari words; the soft hyphen marks a break point.
    words = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0915\u094d\u200d\u0937 re\u00adturn"
    edit(project, "  short_name: IOP\n", f'  short_name: "{words}"\n')
    assert load_content(project).program.short_name == words
