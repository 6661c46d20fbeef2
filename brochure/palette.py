"""Press colours: the office palette (templates/css/tokens.css) converted to CMYK through the
output profile the press files name (SWOP, `paths.cmyk_profile()`), with littleCMS.

Why: a formula such as C = (1-R-K)/(1-K) knows nothing about ink on paper; through the profile
the teal turned blue and the rust drifted. littleCMS (Pillow's ImageCms) reads the very profile
the print shop's RIP will use, so we and the shop agree on what each CMYK value looks like.

How, stated once: relative colorimetric (ICC intent 1; paper white is white; no black point
compensation, which lightened the dark colours by up to 5.5 L*). A colour the profile maps
more than GOOD_ENOUGH from its office colour is outside what SWOP ink can print; for it we take
the nearest printable colour (smallest CIEDE2000, searched through the same profile), and say
so.
Body text is printed on the black plate alone (K_ONLY): four inks on 12 pt type halo as soon
as the plates drift. scripts/press_colours.py writes the result into profile-press.css; the
tests check the stored values against ImageCms.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GOOD_ENOUGH = 3.0  # CIEDE2000: about what a trained eye notices side by side
INTENT_NAME = "relative colorimetric, no black point compensation"
#: What the shop's press can lay down at one spot (SWOP's own limit), searched colours included.
INK_LIMIT = 300.0
#: Tokens printed on the black plate alone, with why.
K_ONLY = {"ink": "body text and small type: on the black plate alone, no halo"}
TOKEN = re.compile(r"--([a-z][a-z0-9-]*)\s*:\s*(#[0-9a-fA-F]{6})\b")

Lab = tuple[float, float, float]
CMYK = tuple[int, int, int, int]  # 0-255 per ink, exactly as littleCMS gives them


@dataclass(frozen=True)
class PressColour:
    """One palette colour for the press, and how far it lands from the office colour."""

    name: str
    office: str  # "#12565e", as written in tokens.css
    cmyk: CMYK
    delta_e: float  # CIEDE2000 between the office colour and this CMYK, both through littleCMS
    how: str  # "profile", "nearest printable" (out of gamut) or "K only"
    profile_delta_e: float  # what the profile's own mapping gave (the same as delta_e if used)

    @property
    def coverage(self) -> float:
        """Total ink at full strength, in per cent (C + M + Y + K)."""
        return sum(self.cmyk) / 2.55

    @property
    def css(self) -> str:
        """`device-cmyk(...)` with three decimals: enough to give back the exact 0-255 values."""
        return "device-cmyk({})".format(" ".join(_fraction(v) for v in self.cmyk))


def _fraction(value: int) -> str:
    return f"{value / 255:.3f}".rstrip("0").rstrip(".") if value else "0"


def office_palette(tokens_css: str) -> dict[str, str]:
    """Every `--name: #rrggbb` colour token in tokens.css, in order, lower-cased."""
    return {name: colour.lower() for name, colour in TOKEN.findall(tokens_css)}


def convert_palette(palette: dict[str, str], profile: Path) -> list[PressColour]:
    """Each office colour as the press prints it (see the module's docstring for the rules)."""
    return [convert(name, office, profile) for name, office in palette.items()]


def convert(name: str, office: str, profile: Path) -> PressColour:
    """One office colour through the profile; K only for body text; nearest printable if the
    profile's own mapping lands more than GOOD_ENOUGH away."""
    target = office_lab(office)
    mapped = _to_cmyk(profile, office)
    mapped_de = delta_e_2000(target, cmyk_lab(profile, mapped))
    if name in K_ONLY:
        black: CMYK = (0, 0, 0, 255)
        return PressColour(
            name, office, black, delta_e_2000(target, cmyk_lab(profile, black)), "K only", mapped_de
        )
    if mapped_de <= GOOD_ENOUGH:
        return PressColour(name, office, mapped, mapped_de, "profile", mapped_de)
    nearest, nearest_de = nearest_printable(profile, target)
    if nearest_de >= mapped_de:
        return PressColour(name, office, mapped, mapped_de, "profile", mapped_de)
    return PressColour(name, office, nearest, nearest_de, "nearest printable", mapped_de)


def office_lab(colour: str) -> Lab:
    """CIELAB (D50, as in ICC profiles) of an sRGB colour, through littleCMS."""
    from PIL import Image

    return _labs(_srgb_to_lab(), Image.new("RGB", (1, 1), _rgb(colour)))[0]


def cmyk_lab(profile: Path, cmyk: CMYK) -> Lab:
    """CIELAB (D50, paper white as white) of CMYK ink on the profile's paper."""
    return cmyk_labs(profile, [cmyk])[0]


def cmyk_labs(profile: Path, colours: list[CMYK]) -> list[Lab]:
    """CIELAB of many CMYK values at once (one littleCMS call)."""
    from PIL import Image

    image = Image.frombytes("CMYK", (len(colours), 1), bytes(itertools.chain(*colours)))
    return _labs(_cmyk_to_lab(str(profile)), image)


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _labs(transform: object, image: object) -> list[Lab]:
    """littleCMS's 8-bit Lab: L in 0-255 for 0-100; a and b stored as signed bytes."""
    from PIL import ImageCms

    raw = ImageCms.applyTransform(image, transform).tobytes()
    return [
        (raw[i] * 100 / 255, (raw[i + 1] ^ 0x80) - 128, (raw[i + 2] ^ 0x80) - 128)
        for i in range(0, len(raw), 3)
    ]


def _to_cmyk(profile: Path, colour: str) -> CMYK:
    from PIL import Image, ImageCms

    image = Image.new("RGB", (1, 1), _rgb(colour))
    return ImageCms.applyTransform(image, _srgb_to_cmyk(str(profile))).getpixel((0, 0))


@cache
def _srgb_to_cmyk(profile: str) -> object:
    from PIL import ImageCms

    srgb, cmyk = ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(profile)
    return ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK", ImageCms.Intent.RELATIVE_COLORIMETRIC)


@cache
def _srgb_to_lab() -> object:
    from PIL import ImageCms

    srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB")
    return ImageCms.buildTransform(srgb, lab, "RGB", "LAB", ImageCms.Intent.RELATIVE_COLORIMETRIC)


@cache
def _cmyk_to_lab(profile: str) -> object:
    from PIL import ImageCms

    cmyk, lab = ImageCms.getOpenProfile(profile), ImageCms.createProfile("LAB")
    return ImageCms.buildTransform(cmyk, lab, "CMYK", "LAB", ImageCms.Intent.RELATIVE_COLORIMETRIC)


def nearest_printable(profile: Path, target: Lab) -> tuple[CMYK, float]:
    """The CMYK (within INK_LIMIT) whose colour through the profile is closest to TARGET by
    CIEDE2000: a coarse grid of every ink, then two finer searches around the best."""
    limit = INK_LIMIT * 2.55
    best: CMYK = (0, 0, 0, 0)
    candidates = [c for c in itertools.product(range(0, 256, 17), repeat=4) if sum(c) <= limit]
    for step in (0, 6, 2):
        if step:
            levels = [sorted({min(255, max(0, v + d * step)) for d in range(-3, 4)}) for v in best]
            candidates = [c for c in itertools.product(*levels) if sum(c) <= limit]
        labs = cmyk_labs(profile, candidates)
        best, _ = min(zip(candidates, labs, strict=True), key=lambda p: delta_e_2000(target, p[1]))
    return best, delta_e_2000(target, cmyk_lab(profile, best))


def delta_e_2000(first: Lab, second: Lab) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005; kL = kC = kH = 1)."""
    l1, a1, b1 = first
    l2, a2, b2 = second
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dlp, dcp = l2 - l1, c2p - c1p
    dhp = 0.0
    if c1p * c2p:
        dhp = h2p - h1p
        dhp -= 360 if dhp > 180 else 0
        dhp += 360 if dhp < -180 else 0
    d_big_hp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    lp_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    hp_mean = h1p + h2p
    if c1p * c2p:
        hp_mean = (h1p + h2p) / 2 + (180 if abs(h1p - h2p) > 180 else 0)
        hp_mean -= 360 if hp_mean >= 360 else 0
    t = (
        1
        - 0.17 * math.cos(math.radians(hp_mean - 30))
        + 0.24 * math.cos(math.radians(2 * hp_mean))
        + 0.32 * math.cos(math.radians(3 * hp_mean + 6))
        - 0.20 * math.cos(math.radians(4 * hp_mean - 63))
    )
    d_theta = 30 * math.exp(-(((hp_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    s_l = 1 + 0.015 * (lp_mean - 50) ** 2 / math.sqrt(20 + (lp_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt(
        (dlp / s_l) ** 2
        + (dcp / s_c) ** 2
        + (d_big_hp / s_h) ** 2
        + r_t * (dcp / s_c) * (d_big_hp / s_h)
    )
