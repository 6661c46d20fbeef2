"""The build path under stress: files that change between builds in a warm process (as in
`brochure serve`), two builds at once, hand-edited outputs and state files, full disks, killed
builds, and templates that try to leave their folder."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

import brochure.output
from brochure.build import build
from brochure.cli import NOTHING_WRITTEN, main
from brochure.documents import DOCUMENTS
from brochure.errors import BrochureError
from brochure.incremental import STATE_FILE
from brochure.options import BuildOptions
from brochure.output import output_lock
from brochure.paths import PROJECT_ROOT
from tests.conftest import CITIES, LANGUAGES, OFFICE_FILES, PER_LANGUAGE, edit, run_brochure

CORPUS = Path(__file__).parent / "corpus"
RED, BLUE = (220, 20, 20), (20, 20, 220)


def put_in_faq(project: Path, markup: str) -> None:
    """Insert MARKUP at the top of the FAQ page (inside its box, so the fit check sees it)."""
    template = project / "templates" / "faq.html.j2"
    text = template.read_text(encoding="utf-8")
    anchor = "{% block body %}"
    assert anchor in text
    template.write_text(text.replace(anchor, anchor + "\n" + markup, 1), encoding="utf-8")


def picture(path: Path, colour: tuple[int, int, int], kind: str = "png") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "svg":
        fill = "#{:02x}{:02x}{:02x}".format(*colour)
        path.write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
            f'<rect width="40" height="10" fill="{fill}"/></svg>'
        )
    else:
        Image.new("RGB", (40, 10), colour).save(path, format="PNG")


def colour_at_top(pdf: Path) -> tuple[int, int, int] | None:
    """The colour of the picture near the top left of the FAQ, as printed."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    for pixel in image.crop((0, 0, image.width, 140)).get_flattened_data():
        if pixel in (RED, BLUE) or max(pixel) - min(pixel) > 150:
            return RED if pixel[0] > pixel[2] else BLUE
    return None


def build_faq(project: Path, out: Path):
    """In this process, with one worker: the warm pipeline outlives each build, as in serve."""
    options = BuildOptions.create(project / "content.yml", out=out, documents=("faq",), workers=1)
    return build(options)


CASES = {
    "png in templates": ('<img src="logo.png" style="width:0.4in">', "templates/logo.png", "png"),
    "png beside content.yml": (
        '<img src="../pictures/logo.png" style="width:0.4in">',
        "pictures/logo.png",
        "png",
    ),
    "svg in templates": ('<img src="logo.svg" style="width:0.4in">', "templates/logo.svg", "svg"),
    "css background": (
        '<div style="width:0.4in;height:0.25in;background:url(logo.png)"></div>',
        "templates/logo.png",
        "png",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_picture_missing_then_added_then_replaced_is_never_stale(project, tmp_path, case):
    """WeasyPrint caches pictures by address, failures included; a warm process must still
    see every change of the file behind, and the up-to-date check must too."""
    markup, relative, kind = CASES[case]
    put_in_faq(project, markup)
    out = tmp_path / "out"
    with pytest.raises(BrochureError, match="cannot load this image"):
        build_faq(project, out)
    content = project / "content.yml"
    content.write_text(content.read_text().replace("Call us", "Call us today", 1))
    with pytest.raises(BrochureError, match="cannot load this image"):
        build_faq(project, out)  # the failure is not remembered as "no picture"
    picture(project / relative, RED, kind)
    report = build_faq(project, out)
    assert [b.document for b in report.built] == ["faq"]
    assert colour_at_top(out / "en" / "faq.pdf") == RED
    picture(project / relative, BLUE, kind)
    report = build_faq(project, out)
    assert [b.document for b in report.built] == ["faq"], "a changed picture must rebuild"
    assert colour_at_top(out / "en" / "faq.pdf") == BLUE
    assert build_faq(project, out).up_to_date
    (project / relative).unlink()
    with pytest.raises(BrochureError, match="cannot load this image"):
        build_faq(project, out)


def test_a_failed_document_is_never_recorded_as_built(project, tmp_path):
    out = tmp_path / "out"
    assert build_faq(project, out).built
    put_in_faq(project, '<img src="nowhere.png">')
    with pytest.raises(BrochureError):
        build_faq(project, out)
    with pytest.raises(BrochureError):
        build_faq(project, out)  # still failing: not "up to date"


@pytest.mark.parametrize("template", ["macros.html.j2", "base.html.j2", "css/common.css"])
def test_a_change_to_any_file_a_document_reads_rebuilds_it(project, tmp_path, template):
    out = tmp_path / "out"
    options = BuildOptions.create(project / "content.yml", out=out, workers=1)
    assert len(build(options).built) == PER_LANGUAGE
    path = project / "templates" / template
    comment = "{# changed #}" if template.endswith(".j2") else "/* changed */"
    path.write_text(path.read_text() + comment)
    rebuilt = sorted(b.document for b in build(options).built)
    assert rebuilt == sorted(DOCUMENTS)


def test_a_stylesheet_of_one_document_rebuilds_only_that_document(project, tmp_path):
    out = tmp_path / "out"
    options = BuildOptions.create(project / "content.yml", out=out, workers=1)
    build(options)
    css = project / "templates" / "css" / "faq.css"
    css.write_text(css.read_text() + "/* changed */")
    assert [b.document for b in build(options).built] == ["faq"]


# --- outputs and the state file --------------------------------------------------------------


def test_a_pdf_changed_with_the_same_size_and_time_is_rebuilt(project, tmp_path):
    out = tmp_path / "out"
    build_faq(project, out)
    pdf = out / "en" / "faq.pdf"
    data = bytearray(pdf.read_bytes())
    info = pdf.stat()
    data[len(data) // 2] ^= 0xFF  # same size
    pdf.write_bytes(bytes(data))
    os.utime(pdf, ns=(info.st_atime_ns, info.st_mtime_ns))  # same time, as `touch -r`
    assert [b.document for b in build_faq(project, out).built] == ["faq"]


@pytest.mark.parametrize(
    "state",
    ["[]", '{"version": 2, "files": []}', '{"version": 2, "files": {"en/faq.pdf": 3}}', "{", ""],
)
def test_a_state_file_of_the_wrong_shape_means_rebuild(project, tmp_path, state, capsys):
    out = tmp_path / "out"
    build_faq(project, out)
    (out / STATE_FILE).write_text(state)
    args = ["build", "faq", "--content", str(project / "content.yml"), "--out", str(out)]
    assert main(args) == 0
    assert "wrote 1 file" in capsys.readouterr().out
    assert json.loads((out / STATE_FILE).read_text())["version"] == 2
    assert main(args) == 0
    assert "up to date: 1 file" in capsys.readouterr().out


def test_a_folder_where_the_state_file_goes_is_a_clear_error(project, tmp_path, capsys):
    out = tmp_path / "out"
    (out / STATE_FILE).mkdir(parents=True)
    args = ["build", "faq", "--content", str(project / "content.yml"), "--out", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"{out / STATE_FILE}: is a folder where the build writes a file; remove or rename it",
        "The PDFs were written; the record of what was built was not, so the next build "
        "makes them again.",
    ]
    assert (out / "en" / "faq.pdf").is_file()


# --- writing: all or nothing, and honest when it cannot be -----------------------------------


def fail_on(monkeypatch, function: str, nth: int, name_part: str = "") -> None:
    """Make brochure.output's FUNCTION fail with a full disk from its NTH matching call."""
    real = getattr(brochure.output, function) if function != "replace" else os.replace
    calls = {"n": 0}

    def failing(*args, **kwargs):
        target = str(args[-1] if function == "replace" else args[0])
        if name_part in target:
            calls["n"] += 1
            if calls["n"] >= nth:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    if function == "replace":
        monkeypatch.setattr(brochure.output.os, "replace", failing)
    else:
        monkeypatch.setattr(brochure.output, function, failing)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes, and every folder (None), so an empty folder left behind shows."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in folder.rglob("*")
    }


@pytest.mark.parametrize(("nth", "part"), [(1, ""), (3, ""), (1, ".png"), (1, "index.html")])
def test_a_full_disk_while_writing_leaves_every_old_file(
    project, tmp_path, monkeypatch, capsys, nth, part
):
    out = tmp_path / "out"
    args = ["build", "--content", str(project / "content.yml"), "--out", str(out), "--force"]
    assert main(args) == 0
    before = snapshot(out)
    capsys.readouterr()
    fail_on(monkeypatch, "_write_temporary", nth, part)
    assert main([*args, "--workers", "1"]) == 1
    out_text, err = capsys.readouterr()
    lines = err.splitlines()
    assert lines[-1] == NOTHING_WRITTEN
    assert lines[0].endswith(
        "cannot write (No space left on device); check that "
        f"{out} is writable and the disk has room"
    )
    assert part in lines[0].split(":")[0]  # names the file that failed, not another
    assert snapshot(out) == before
    assert "wrote" not in out_text and ".pdf" not in out_text  # no line for a file not written
    assert not [p for p in out.rglob("*.tmp")]


def test_a_rename_failing_halfway_says_which_files_are_new(project, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    args = ["build", "--content", str(project / "content.yml"), "--out", str(out), "--force"]
    assert main(args) == 0
    capsys.readouterr()
    fail_on(monkeypatch, "replace", 3, ".pdf")
    assert main([*args, "--workers", "1"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert NOTHING_WRITTEN not in lines
    assert lines[0].endswith("cannot replace (No space left on device)")
    new = [line for line in lines if line.startswith("  new: ")]
    old = [line for line in lines if line.startswith("  old (unchanged): ")]
    assert len(new) >= 2 and old
    assert lines[-1] == "Some files above are new and some are old: run the build again."
    monkeypatch.undo()
    assert main(args[:-1]) == 0  # the next build mends it


def test_temporary_files_of_a_killed_build_are_removed_by_the_next(project, tmp_path):
    out = tmp_path / "out"
    build_faq(project, out)
    leftovers = [
        out / "en" / ".faq.pdf.abc12_45.tmp",
        out / "thumbs" / "en" / ".faq-1.png.x1y2z3w4.tmp",
        out / ".index.html.q8Wertyu.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"half")
    build_faq(project, out)
    assert not [p for p in leftovers if p.exists()]


def test_two_builds_into_one_folder_take_turns(project, tmp_path):
    """A second build waits for the first (and says so), then finds everything up to date."""
    out = tmp_path / "out"
    build_faq(project, out)
    release = threading.Event()
    held = threading.Event()

    def hold() -> None:
        with output_lock(out):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    second = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "brochure",
            "build",
            "faq",
            "--content",
            str(project / "content.yml"),
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while second.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            if time.monotonic() > deadline - 25:
                break
        assert second.poll() is None, "the second build must wait for the first"
    finally:
        release.set()
        holder.join()
    stdout, stderr = second.communicate(timeout=60)
    assert second.returncode == 0, stderr
    assert stderr.splitlines()[0] == f"another build is writing to {out}; waiting for it to finish"
    assert stdout.startswith("up to date: 1 file")


# --- templates stay in their folder and in their lane ----------------------------------------


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('{% include "etc/hostname" %}', "'etc/hostname' leads outside the templates folder"),
        ('{% include "linked.html.j2" %}', "'linked.html.j2' leads outside the templates folder"),
        ('{{ cycler.__init__.__globals__.os.popen("id").read() }}', "unsafe"),
        ("{{ content.__class__.__mro__ }}", "unsafe"),
        ("{{ ''.__class__.__subclasses__() }}", "unsafe"),
        ("{{ content.program.phone.__len__() }}", "unsafe"),
        (
            "{{ content.program.parse_raw(\"cos\\nsystem\\n(S'id'\\ntR.\", proto='pickle',"
            " allow_pickle=True) }}",
            "unsafe",
        ),
        ("{{ content.model_construct() }}", "unsafe"),
        ("{{ content.program.model_dump_json() }}", "unsafe"),
        ("{{ edition.sources[0].read_text() }}", "unsafe"),
        ("{{ edition.sources[0].parent.parent }}", "unsafe"),
        ("{{ profile.rules.__class__ }}", "unsafe"),
        ("{% for i in range(100000000) %}{% endfor %}", "Range too big"),
    ],
)
def test_templates_cannot_reach_outside_their_folder_or_into_python(
    project, tmp_path, markup, expected, capsys
):
    templates = project / "templates"
    (templates / "etc").symlink_to("/etc")
    (templates / "linked.html.j2").symlink_to("/etc/hostname")
    put_in_faq(project, markup)
    out = tmp_path / "out"
    args = ["build", "faq", "--content", str(project / "content.yml"), "--out", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith("templates/faq.html.j2:"), first
    assert expected in first
    assert "Traceback" not in err
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    assert not (out / "en" / "faq.pdf").exists()
    if hostname:
        assert hostname not in err or "hostname" in expected


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + ']><svg xmlns="http://www.w3.org/2000/svg"><text>&i;</text></svg>'
)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("logo.png", b"GIF89a not really"),
        ("logo.png", b""),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect'),
        ("logo.svg", LAUGHS.encode()),
    ],
)
def test_a_broken_picture_is_one_clear_line(project, tmp_path, name, data, capsys):
    (project / "templates" / name).write_bytes(data)
    put_in_faq(project, f'<img src="{name}" style="width:0.4in">')
    args = ["check", "faq", "--content", str(project / "content.yml")]
    result = run_brochure(*args, timeout=60)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"templates/{name}: cannot read this picture (")
    assert line.endswith("); save it again as PNG, JPEG or SVG and check that it opens")
    assert "()" not in line


def test_a_font_file_replaced_between_builds_is_used(project, tmp_path):
    """@font-face fonts are cached by WeasyPrint per rule, not per file: a warm process must
    still print the new font once the file behind the rule changes."""
    import fontpkg
    from pypdf import PdfReader

    def family_file(name: str) -> Path:
        return Path(next(f.path for f in fontpkg.family(name).files if "Bold" not in str(f.path)))

    fonts = project / "templates" / "fonts"
    fonts.mkdir()
    shutil.copy(family_file("Atkinson Hyperlegible"), fonts / "designer.ttf")
    css = project / "templates" / "css" / "faq.css"
    css.write_text(
        css.read_text()
        + '\n@font-face { font-family: "Designer"; src: url(../fonts/designer.ttf); }\n'
        + '.faq h1 { font-family: "Designer"; }\n'
    )
    out = tmp_path / "out"

    def designer_font() -> tuple:
        """The embedded Designer font's bounding box and glyph widths: they differ by file."""
        reader = PdfReader(out / "en" / "faq.pdf")
        for font in reader.pages[0]["/Resources"]["/Font"].values():
            font = font.get_object()
            if "Designer" in str(font["/BaseFont"]):
                descendant = (
                    font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                )
                box = descendant["/FontDescriptor"].get_object()["/FontBBox"]
                return tuple(float(v) for v in box)
        raise AssertionError("the Designer font is not in the PDF")

    assert build_faq(project, out).built
    first = designer_font()
    shutil.copy(family_file("Noto Sans"), fonts / "designer.ttf")
    assert [b.document for b in build_faq(project, out).built] == ["faq"]
    assert designer_font() != first, "the old font file is still used"


def test_a_template_that_includes_itself_is_one_sentence(project, tmp_path, capsys):
    put_in_faq(project, '{% include "faq.html.j2" %}')
    args = ["check", "faq", "--content", str(project / "content.yml")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "templates/faq.html.j2: templates include each other without end; "
        "check the include, import and extends lines"
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_replaced_picture_rebuilds_every_edition_that_shows_it(tmp_path, workers):
    """Three languages' FAQs show one picture: replacing it rebuilds all three, even when one
    worker renders them one after another (WeasyPrint would serve the later ones from the
    first one's cached fetch, which then went unrecorded)."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECT_ROOT / "content.yml", project)
    shutil.copytree(PROJECT_ROOT / "translations", project / "translations")
    shutil.copytree(PROJECT_ROOT / "templates", project / "templates")
    # Floated beside the heading: since the crisis box, the five longest draft FAQs have
    # about 0.03 in to spare, so a picture set in the flow above the text would not fit.
    put_in_faq(project, '<img src="logo.png" style="width:0.4in; float:right">')
    picture(project / "templates" / "logo.png", RED)
    out = tmp_path / "out"
    options = BuildOptions.create(
        project / "content.yml", out=out, documents=("faq",), workers=workers
    )
    assert len(build(options).built) == len(LANGUAGES)
    picture(project / "templates" / "logo.png", BLUE)
    rebuilt = sorted(b.edition for b in build(options).built)
    assert rebuilt == sorted(LANGUAGES)
    for edition in rebuilt:
        assert colour_at_top(out / edition / "faq.pdf") == BLUE, edition
    assert build(options).up_to_date


def test_another_templates_folder_is_another_input(project, tmp_path, capsys):
    out = tmp_path / "out"
    content = str(project / "content.yml")
    assert main(["build", "faq", "--content", content, "--out", str(out)]) == 0
    other = tmp_path / "other-templates"
    shutil.copytree(project / "templates", other)
    css = other / "css" / "faq.css"
    css.write_text(css.read_text() + "\n/* another folder */\n")
    capsys.readouterr()
    args = ["build", "faq", "--content", content, "--out", str(out), "--templates", str(other)]
    assert main(args) == 0
    assert "wrote 1 file" in capsys.readouterr().out


@pytest.mark.parametrize("missing", ["thumbs/en/faq-1.png", "thumbs/en", "index.html"])
def test_a_deleted_thumbnail_or_catalog_is_made_again(project, tmp_path, missing, capsys):
    out = tmp_path / "out"
    args = ["build", "--content", str(project / "content.yml"), "--out", str(out)]
    assert main(args) == 0
    path = out / missing
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"up to date: {PER_LANGUAGE} files in {out}; the catalog (index.html) and its pictures "
        "were made again"
    )
    assert (out / "thumbs" / "en" / "faq-1.png").is_file()
    assert (out / "index.html").is_file()
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("up to date")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "deep-json", "reads-dev-zero"])
def test_a_hostile_state_file_never_hangs_the_check(project, tmp_path, kind):
    out = tmp_path / "out"
    content = str(project / "content.yml")
    assert main(["build", "faq", "--content", content, "--out", str(out)]) == 0
    state = out / STATE_FILE
    if kind == "fifo":
        state.unlink()
        os.mkfifo(state)
    elif kind == "dev-zero":
        state.unlink()
        state.symlink_to("/dev/zero")
    elif kind == "deep-json":
        state.write_text("[" * 100000 + "]" * 100000)
    else:
        data = json.loads(state.read_text())
        for entry in data["files"].values():
            entry["reads"].append("/dev/zero")
        state.write_text(json.dumps(data))
    result = run_brochure("build", "faq", "--content", content, "--out", str(out), timeout=60)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0 and "wrote 1 file" in result.stdout  # read as "nothing built"
    assert state.is_file() and not state.is_symlink()
    assert json.loads(state.read_text())["version"] == 2


def test_only_our_own_temporary_files_are_removed(project, tmp_path):
    out = tmp_path / "out"
    build_faq(project, out)
    theirs = [out / ".session.tmp", out / "mine" / ".draft.tmp", out / "en" / ".faq.pdf.tmp"]
    for path in theirs:
        path.parent.mkdir(exist_ok=True)
        path.write_text("someone's")
    build_faq(project, out)
    assert all(path.read_text() == "someone's" for path in theirs)


def test_a_file_where_a_folder_goes_is_named_and_nothing_is_made(project, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "thumbs").mkdir(parents=True)
    (out / "thumbs" / "en").write_text("not a folder")
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    args = ["build", "--content", str(project / "content.yml"), "--out", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0]
        == f"{out / 'thumbs' / 'en'}: is a file where the build needs a folder; remove or rename it"
    )
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before


def test_stray_files_in_the_templates_folder_are_never_read(project, tmp_path):
    """Only the templates a document uses are read: a link to /dev/zero or a pipe lying in
    templates/ (or a huge file) must not hang or slow the build."""
    templates = project / "templates"
    (templates / "zero.bin").symlink_to("/dev/zero")
    os.mkfifo(templates / "pipe")
    out = tmp_path / "out"
    args = ["build", "faq", "--content", str(project / "content.yml"), "--out", str(out)]
    result = run_brochure(*args, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "wrote 1 file" in result.stdout


def test_an_edition_taken_out_of_content_yml_leaves_no_pdf_behind(tmp_path, capsys):
    """Take Portuguese out: its six PDFs (and pictures) go, nobody can print a withdrawn
    translation from build/; other editions, and press files, stay."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECT_ROOT / "content.yml", project)
    shutil.copytree(PROJECT_ROOT / "translations", project / "translations")
    content = project / "content.yml"
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    press = ["build", "faq", "--profile", "press", "--content", str(content), "--out", str(out)]
    assert main(press) == 0
    mine = out / "mine.pdf"
    mine.write_bytes(b"someone's own file")
    edit(content, "  pt-BR: translations/pt-BR.yml\n", "")
    capsys.readouterr()
    assert main(["build", "faq", "--content", str(content), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    gone = [
        "pt-BR/trifold.pdf",
        "pt-BR/faq.pdf",
        "pt-BR/wallet-card.pdf",
        "pt-BR/wallet-card-sheet.pdf",
        "pt-BR-worcester/trifold.pdf",
        "pt-BR-somerville/trifold.pdf",
    ]
    for name in gone:
        assert not (out / name).exists(), name
        assert f"removed {out / name}: its edition is no longer in {content}" in printed
    assert not list((out / "thumbs").glob("pt-BR*/*.png"))
    assert len(list(out.glob("*/*.pdf"))) == OFFICE_FILES - PER_LANGUAGE - len(CITIES)
    assert (out / "press" / "pt-BR" / "faq.pdf").is_file()  # the office build leaves press alone
    assert mine.read_bytes() == b"someone's own file"
    assert "pt-BR" not in (out / "index.html").read_text()
    for _ in range(2):  # the first rebuilds what content.yml's change touched
        assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith(f"up to date: {OFFICE_FILES - PER_LANGUAGE - len(CITIES)} files")
    )
    assert main(press) == 0
    assert not (out / "press" / "pt-BR" / "faq.pdf").exists()
