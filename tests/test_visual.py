"""Visual regression: every page, rendered, against a committed reference image.

After an intended design change run `make update-references` and look at the new images
before committing them. A failed comparison writes NAME-diff.png (differences in red) and
NAME-actual.png to tests/output/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.pdfread import render

REFERENCES = Path(__file__).parent / "references"
OUTPUT = Path(__file__).parent / "output"
DPI = 40
PIXEL_TOLERANCE = 48  # per channel, out of 255: anti-aliasing noise stays below it
AREA_TOLERANCE = 0.002  # at most 0.2 % of the pixels may differ by more than that

PAGES = [
    ("en", "trifold", 0),
    ("en", "trifold", 1),
    ("en", "faq", 0),
    ("en", "wallet-card", 0),
    ("en", "wallet-card", 1),
    ("en", "wallet-card-sheet", 0),
    ("en", "wallet-card-sheet", 1),
    ("es", "trifold", 0),
    ("pt-BR-worcester", "trifold", 0),
    # The outreach documents: the flyer's tabs and the poster, in English and mirrored Arabic;
    # large print's two pages.
    ("en", "tear-off-flyer", 0),
    ("ar", "tear-off-flyer", 0),
    ("en", "poster", 0),
    ("ar", "poster", 0),
    ("en", "faq-large-print", 0),
    ("en", "faq-large-print", 1),
    # Scripts beyond Latin, and Arabic's mirrored tri-fold and card.
    *(
        (language, document, page)
        for language in ("ar", "ne", "zh-Hant", "vi")
        for document, page in (
            ("trifold", 0),
            ("trifold", 1),
            ("wallet-card", 0),
            ("wallet-card", 1),
        )
    ),
]


def differing_fraction(a: Image.Image, b: Image.Image) -> tuple[float, Image.Image]:
    diff = (
        ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > PIXEL_TOLERANCE else 0)
    )
    changed = diff.histogram()[255]
    return changed / (a.width * a.height), diff


@pytest.mark.parametrize(("edition", "document", "page"), PAGES)
def test_page_matches_reference(built_all, request, edition, document, page):
    path = {(b.edition, b.document): b.path for b in built_all}[(edition, document)]
    actual = render(path, page, dpi=DPI).convert("RGB")
    name = f"{edition}-{document}-{page + 1}"
    reference_path = REFERENCES / f"{name}.png"
    if request.config.getoption("--update-references"):
        REFERENCES.mkdir(exist_ok=True)
        actual.save(reference_path, optimize=True)
        return
    assert reference_path.exists(), f"no reference for {name}: run `make update-references`"
    reference = Image.open(reference_path).convert("RGB")
    assert reference.size == actual.size, f"{name}: page size changed"
    fraction, diff = differing_fraction(reference, actual)
    if fraction > AREA_TOLERANCE:
        OUTPUT.mkdir(exist_ok=True)
        actual.save(OUTPUT / f"{name}-actual.png")
        red = Image.new("RGB", actual.size, (220, 0, 0))
        Image.composite(red, actual.convert("L").convert("RGB"), diff).save(
            OUTPUT / f"{name}-diff.png"
        )
    assert fraction <= AREA_TOLERANCE, (
        f"{name}: {fraction:.2%} of pixels differ from the reference; "
        f"see tests/output/{name}-diff.png"
    )


def test_comparison_catches_a_real_change():
    """The tolerance is loose enough for noise but not for a moved block of text."""
    base = Image.new("RGB", (400, 300), "white")
    moved = base.copy()
    moved.paste((0, 0, 0), (100, 100, 140, 112))  # a word-sized black bar
    fraction, _ = differing_fraction(base, moved)
    assert fraction > AREA_TOLERANCE
    assert differing_fraction(base, base.copy())[0] == 0
