"""Ink on the press files: every colour CMYK and the most ink at one spot (TAC) reported by
`brochure check --profile press` and kept under the limit. Our reading (brochure/inks.py) is
checked against Ghostscript's rendering of the separations."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from brochure.cli import main
from brochure.documents import RULES
from brochure.inks import measure
from tests.conftest import CITIES, LANGUAGES, PER_LANGUAGE, edit, run_brochure

CORPUS = Path(__file__).parent / "corpus"
PRESS_DOCUMENTS = ["trifold", "faq", "wallet-card"]
INK_LIMIT = RULES["press"].ink_limit

ghostscript = pytest.mark.skipif(
    shutil.which("gs") is None,
    reason="Ghostscript is not installed (make test installs it when run as root)",
)


GS = ["gs", "-q", "-dSAFER", "-dNOPAUSE", "-dBATCH"]


def separations_max(pdf: Path, tmp_path: Path) -> list[float]:
    """Ghostscript's CMYK rendering (no colour conversion, no anti-aliasing): the most ink at
    any pixel of each page, in per cent."""
    out = tmp_path / f"{pdf.stem}-%d.tif"
    subprocess.run(
        [*GS, "-sDEVICE=tiff32nc", "-r72", f"-sOutputFile={out}", str(pdf)],
        check=True,
        timeout=120,
    )
    found = []
    for number in range(1, 10):
        page = tmp_path / f"{pdf.stem}-{number}.tif"
        if not page.exists():
            break
        pixels = Image.open(page).tobytes()
        found.append(max(sum(pixels[i : i + 4]) for i in range(0, len(pixels), 4)) / 2.55)
    return found


@ghostscript
@pytest.mark.parametrize("name", PRESS_DOCUMENTS)
def test_measured_ink_matches_ghostscripts_separations(built_press, tmp_path, name):
    ours = [page.coverage for page in measure(built_press[name].read_bytes())]
    theirs = separations_max(built_press[name], tmp_path)
    assert ours == pytest.approx(theirs, abs=1.0)
    assert max(theirs) <= INK_LIMIT


def test_check_reports_ink_per_page(built_press, capsys):
    """`brochure check --profile press` names each page's most ink, as the file has it."""
    assert main(["check", "--profile", "press"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("ok")]
    # Every document but the card sheet (a print shop lays out its own from the card).
    assert len(lines) == len(LANGUAGES) * (PER_LANGUAGE - 1 + len(CITIES))
    for line in lines:
        edition, document = line.split()[1:3]
        found = re.search(r"TAC\): (.*) \(limit (\d+) %\)$", line)
        assert found, line
        assert float(found.group(2)) == INK_LIMIT
        if edition == "en":
            pages = [float(v) for v in re.findall(r"page \d+ (\d+) %", found.group(1))]
            measured = [p.coverage for p in measure(built_press[document].read_bytes())]
            assert pages == pytest.approx(measured, abs=0.5)
            assert 0 < max(pages) <= INK_LIMIT


def press_check(project: Path, *documents: str):
    return run_brochure(
        "check", *documents, "--profile", "press", "--content", str(project / "content.yml")
    )


def test_too_much_ink_fails_the_check_and_says_where(project):
    press = project / "templates" / "css" / "profile-press.css"
    brand = re.search(r"--brand: (device-cmyk\([^)]*\))", press.read_text()).group(1)
    edit(press, brand, "device-cmyk(1 0.9 0.8 0.5)")
    result = press_check(project, "faq")
    assert result.returncode == 1
    assert "faq: page 1 puts 320 % ink on one spot (device-cmyk(1 0.9 0.8 0.5))" in result.stderr
    assert "more than the 300 % a press can take" in result.stderr
    assert "profile-press.css" in result.stderr


def test_an_rgb_colour_in_a_stylesheet_fails_the_press_check(project):
    """A colour written straight into a stylesheet comes out RGB: named, with what to do."""
    stylesheet = project / "templates" / "css" / "faq.css"
    stylesheet.write_text(stylesheet.read_text() + "\n.faq__intro { color: #c00; }\n")
    result = press_check(project, "faq")
    assert result.returncode == 1
    assert "faq: page 1 has text in RGB, but a press file must be all CMYK" in result.stderr
    assert "var(--ink)" in result.stderr
    assert run_brochure("check", "faq", "--content", str(project / "content.yml")).returncode == 0
