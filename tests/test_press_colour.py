"""Press colour: the palette converted through the SWOP output profile (littleCMS, not a
formula), and body text on the black plate alone. Checked with readers that are not ours:
littleCMS through Pillow's ImageCms, and pikepdf."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageCms

from brochure.palette import GOOD_ENOUGH, K_ONLY, delta_e_2000
from brochure.paths import PROJECT_ROOT, cmyk_profile
from tests.pdfread import text_colours

CSS = PROJECT_ROOT / "templates" / "css"
PRESS_DOCUMENTS = ["trifold", "faq", "wallet-card"]
STORED = re.compile(r"--([a-z-]+):\s*device-cmyk\(([^)]*)\)\s*;\s*/\*([^*]*)\*/")


def office_colours() -> dict[str, str]:
    text = (CSS / "tokens.css").read_text()
    return {name: hex_.lower() for name, hex_ in re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", text)}


def stored_press_colours() -> dict[str, tuple[tuple[int, ...], str]]:
    """profile-press.css: token -> (CMYK as littleCMS's 0-255 values, the comment beside it)."""
    found = {}
    for name, values, comment in STORED.findall((CSS / "profile-press.css").read_text()):
        fractions = [float(v) for v in values.split()]
        found[name] = (tuple(round(f * 255) for f in fractions), comment)
    return found


def lcms_cmyk(office: str) -> tuple[int, ...]:
    """What littleCMS makes of an sRGB colour through the SWOP profile, relative colorimetric."""
    transform = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        ImageCms.getOpenProfile(str(cmyk_profile())),
        "RGB",
        "CMYK",
        ImageCms.Intent.RELATIVE_COLORIMETRIC,
    )
    rgb = tuple(int(office[i : i + 2], 16) for i in (1, 3, 5))
    return ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), transform).getpixel((0, 0))


def lab(mode: str, value: tuple[int, ...]) -> tuple[float, float, float]:
    """CIELAB D50 of one sRGB or SWOP CMYK value, through littleCMS (a, b: signed bytes)."""
    source = ImageCms.createProfile("sRGB") if mode == "RGB" else str(cmyk_profile())
    transform = ImageCms.buildTransform(
        source, ImageCms.createProfile("LAB"), mode, "LAB", ImageCms.Intent.RELATIVE_COLORIMETRIC
    )
    raw = ImageCms.applyTransform(Image.new(mode, (1, 1), value), transform).tobytes()
    return (raw[0] * 100 / 255, _signed(raw[1]), _signed(raw[2]))


def _signed(byte: int) -> int:
    return byte - 256 if byte > 127 else byte


def hex_rgb(office: str) -> tuple[int, int, int]:
    return tuple(int(office[i : i + 2], 16) for i in (1, 3, 5))


# --- CIEDE2000 itself ---------------------------------------------------------------------

# Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula", Table 1: pairs chosen
# to exercise every branch (hue wrap-around, neutral colours, the blue rotation term).
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0011), 7.2195),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((50.0, -0.001, 2.49), (50.0, 0.0009, -2.49), 4.8045),
    ((50.0, -0.001, 2.49), (50.0, 0.0011, -2.49), 4.7461),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize(("first", "second", "expected"), SHARMA)
def test_delta_e_2000_matches_the_published_test_data(first, second, expected):
    assert delta_e_2000(first, second) == pytest.approx(expected, abs=1e-4)
    assert delta_e_2000(second, first) == pytest.approx(expected, abs=1e-4)


def test_lab_from_littlecms_is_read_the_right_way_round():
    """sRGB red is about L 54, a +81, b +70 in D50 Lab (a and b are signed bytes)."""
    assert lab("RGB", (255, 0, 0)) == pytest.approx((54, 81, 70), abs=1.5)
    assert lab("RGB", (0, 0, 255))[2] < -100


# --- the palette --------------------------------------------------------------------------


def test_every_office_colour_has_a_press_colour():
    assert set(stored_press_colours()) == set(office_colours())


def test_press_palette_is_what_littlecms_gives_through_the_profile():
    """Each stored colour is exactly littleCMS's relative-colorimetric conversion, except:
    body text (K only, on purpose) and colours the profile cannot bring within GOOD_ENOUGH
    (outside SWOP's gamut), which must then be closer than the profile's own mapping."""
    stored = stored_press_colours()
    for name, office in office_colours().items():
        cmyk, comment = stored[name]
        converted = lcms_cmyk(office)
        office_lab = lab("RGB", hex_rgb(office))
        mapped_de = delta_e_2000(office_lab, lab("CMYK", converted))
        if name in K_ONLY:
            assert cmyk == (0, 0, 0, 255), name
            assert "K only" in comment
        elif mapped_de <= GOOD_ENOUGH:
            assert cmyk == converted, (name, cmyk, converted)
        else:
            assert delta_e_2000(office_lab, lab("CMYK", cmyk)) < mapped_de, name
            assert "outside SWOP's gamut" in comment, name


def test_press_colours_look_like_the_office_colours_or_say_why_not():
    """dE00 within GOOD_ENOUGH of the office colour, unless the comment beside the colour says
    it is out of gamut or K only; and the dE00 written there is the true one."""
    stored = stored_press_colours()
    assert set(stored) == set(office_colours())
    for name, (cmyk, comment) in stored.items():
        office = office_colours()[name]
        difference = delta_e_2000(lab("RGB", hex_rgb(office)), lab("CMYK", cmyk))
        written = float(re.search(r"dE00 ([0-9.]+)", comment).group(1))
        assert written == pytest.approx(difference, abs=0.05), name
        if difference > GOOD_ENOUGH:
            assert "outside SWOP's gamut" in comment or "K only" in comment, (name, difference)


def test_the_press_colours_script_finds_nothing_to_change():
    """`make press-colours` would write exactly what profile-press.css holds."""
    script = PROJECT_ROOT / "scripts" / "press_colours.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def colours_set(path: Path) -> set[tuple[float, ...]]:
    """Every colour a page or its forms set (sc, scn, k, K and their stroke twins), by pikepdf."""
    found = set()
    with pikepdf.open(path) as pdf:
        streams = [page.obj for page in pdf.pages]
        streams += [
            o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Form"
        ]
        for stream in streams:
            for instruction in pikepdf.parse_content_stream(stream):
                if str(instruction.operator) in ("sc", "scn", "SC", "SCN", "k", "K"):
                    found.add(tuple(round(float(v), 3) for v in instruction.operands))
    return found


@pytest.mark.parametrize("name", PRESS_DOCUMENTS)
def test_press_files_paint_only_palette_colours(built_press, name):
    """Every colour in the file, text or not, is a stored palette colour (the QR code is K)."""
    palette = {tuple(round(v / 255, 3) for v in c) for c, _ in stored_press_colours().values()}
    used = colours_set(built_press[name])
    assert len(used) >= 3
    assert used <= palette, used - palette


# --- body text on the black plate -----------------------------------------------------------


@pytest.mark.parametrize("name", PRESS_DOCUMENTS)
def test_body_text_is_k_only(built, built_press, name):
    """Every glyph the office file sets in the ink colour, the press file sets in black ink
    alone (C = M = Y = 0), page by page; and no type under 12 pt uses more than one ink."""
    ink = tuple(round(v / 255, 3) for v in hex_rgb(office_colours()["ink"]))
    office, press = text_colours(built[name]), text_colours(built_press[name])
    total = 0
    for page in {page for page, _, _ in office}:
        in_ink = sum(n for (p, colour, _), n in office.items() if p == page and colour == ink)
        in_black = sum(
            n for (p, colour, _), n in press.items() if p == page and colour == (0, 0, 0, 1)
        )
        assert in_black == in_ink, (page, in_ink, in_black)
        total += in_ink
    assert total > 30  # the card has the fewest words
    for (page, colour, size), count in press.items():
        if size < 12:
            inks = sum(1 for v in colour if v > 0)
            assert inks <= 1, (page, colour, size, count)
