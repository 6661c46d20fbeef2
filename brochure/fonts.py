"""Fonts come from packages we name, never from whatever the machine has, so every machine
prints the same.

WeasyPrint finds fonts through fontconfig. Pointing FONTCONFIG_FILE at a config that lists only
our font folders, before WeasyPrint loads, means a glyph can never fall back to whatever font
a machine happens to have installed. Latin, Arabic and Devanagari fonts are PyPI packages; the
Han font (Noto Sans CJK) is Debian's fonts-noto-cjk, named file by file (PyPI has none): only
its two sans-serif files are linked into a folder of our own, so its serif never shows up.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

import fontpkg

#: Body font first, then the fallback that covers accented Latin (and Vietnamese), then one
#: family per script. Which one a language uses is set in tokens.css (`:lang(...)`).
FAMILIES = ("Atkinson Hyperlegible", "Noto Sans", "Noto Sans Arabic", "Noto Sans Devanagari")
#: Noto Sans CJK (TC, SC, ...: one collection file per weight), from Debian's fonts-noto-cjk.
CJK_FILES = tuple(
    Path("/usr/share/fonts/opentype/noto") / name
    for name in ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc")
)
CJK_PACKAGE = "fonts-noto-cjk"
CJK_PREFIX = "Noto Sans CJK"
#: The typeface whose x-height every other script's text is drawn to (see size_adjust).
SIZE_BASE = "Atkinson Hyperlegible"


def font_dirs() -> list[Path]:
    """Folders holding the font files of every family we use."""
    dirs: list[Path] = []
    for name in FAMILIES:
        for font_file in fontpkg.family(name).files:
            folder = Path(font_file.path).parent
            if folder not in dirs:
                dirs.append(folder)
    if cjk_installed():
        dirs.append(_cjk_folder())
    return dirs


def cjk_installed() -> bool:
    return all(path.is_file() for path in CJK_FILES)


def _cjk_folder() -> Path:
    """A folder of our own holding links to the Han font files, and nothing else."""
    folder = _state_root() / "cjk"
    folder.mkdir(parents=True, exist_ok=True)
    for target in CJK_FILES:
        link = folder / target.name
        if not link.is_symlink() or link.readlink() != target:
            tmp = folder / f".{target.name}.{os.getpid()}.tmp"
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(target)
            tmp.replace(link)
    return folder


def _state_root() -> Path:
    return Path(tempfile.gettempdir()) / f"brochure-fonts-{os.getuid()}"


def font_files() -> list[Path]:
    return sorted(
        p for d in font_dirs() for p in d.iterdir() if p.suffix in {".ttf", ".otf", ".ttc"}
    )


def fontconfig_xml(dirs: list[Path], cache_dir: Path, adjust: dict[str, float]) -> str:
    """Our folders only, our families first, and each family drawn at its ADJUST factor."""
    prefer = "".join(f"<family>{escape(name)}</family>" for name in FAMILIES)
    dir_lines = "".join(f"  <dir>{escape(str(d))}</dir>\n" for d in dirs)
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n{dir_lines}  <cachedir>{escape(str(cache_dir))}</cachedir>\n"
        "  <alias><family>sans-serif</family>"
        f"<prefer>{prefer}</prefer></alias>\n{_scale_rules(adjust)}</fontconfig>\n"
    )


def _scale_rules(adjust: dict[str, float]) -> str:
    """One fontconfig rule per scaled family: the size Pango asks for, times the factor. Pango
    shapes and WeasyPrint writes the font at that size, so glyphs, advances and line breaks
    agree. The Han collection's other regions (JP, KR, HK: a fallback for Han text outside a
    Chinese element) share its design, so one rule covers every family in it."""
    rules = []
    for family, factor in sorted(adjust.items()):
        if factor == 1 or family.startswith(CJK_PREFIX):
            continue
        rules.append(_scale_rule(f"<string>{escape(family)}</string>", "eq", factor))
    cjk = {factor for family, factor in adjust.items() if family.startswith(CJK_PREFIX)}
    if len(cjk) == 1 and cjk != {1}:
        rules.append(_scale_rule(f"<string>{CJK_PREFIX}</string>", "contains", cjk.pop()))
    return "".join(rules)


def _scale_rule(family: str, compare: str, factor: float) -> str:
    return (
        f'  <match target="font"><test name="family" compare="{compare}">{family}</test>'
        '<edit name="pixelsize" mode="assign"><times><name>pixelsize</name>'
        f"<double>{factor}</double></times></edit></match>\n"
    )


def use_packaged_fonts_only() -> None:
    """Write our fontconfig file and point this process at it. Call before importing WeasyPrint."""
    dirs = font_dirs()
    key = hashlib.sha256("\n".join(map(str, dirs)).encode()).hexdigest()[:12]
    root = Path(tempfile.gettempdir()) / f"brochure-fonts-{os.getuid()}-{key}"
    root.mkdir(parents=True, exist_ok=True)
    conf = root / "fonts.conf"
    xml = fontconfig_xml(dirs, root / "cache", size_adjust())
    if not conf.exists() or conf.read_text() != xml:
        tmp = conf.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(xml)
        tmp.replace(conf)
    os.environ["FONTCONFIG_FILE"] = str(conf)


@dataclass(frozen=True)
class FontFace:
    """One font file (and its index in a collection) that draws a family at a weight."""

    family: str
    path: Path
    index: int = 0
    weight: int = 400
    variable: bool = False


@dataclass(frozen=True)
class Coverage:
    """Which characters each packaged family can draw: checked before anything is laid out,
    so a roster name no font has is refused with its line, and the personalised line of a card
    is set, run by run, in one family that has every character of that run."""

    characters: dict[str, frozenset[int]]  # family -> code points

    def missing(self, text: str) -> list[str]:
        """Characters of TEXT no family has (spaces and joiners are not drawn, so never missing)."""
        every = self.every
        return [c for c in dict.fromkeys(text) if not c.isspace() and ord(c) not in every]

    @functools.cached_property
    def every(self) -> frozenset[int]:
        """Every character some family has (made once: the Chinese fonts alone have 45,000)."""
        return frozenset().union(*self.characters.values())

    def family_for(self, text: str, prefer: tuple[str, ...]) -> str | None:
        """The first family of PREFER, then of all ours, that has every character of TEXT."""
        needed = {ord(c) for c in text if not c.isspace()}
        for family in (*prefer, *self.characters):
            if needed <= self.characters.get(family, frozenset()):
                return family
        return None


def faces() -> list[FontFace]:
    """Every face of our families: the PyPI packages' files, and Noto Sans CJK TC/SC."""
    found = []
    for name in FAMILIES:
        for font_file in fontpkg.family(name).files:
            if font_file.style == "normal":
                weight = font_file.weight or 400
                found.append(FontFace(name, Path(font_file.path), 0, weight, font_file.variable))
    if cjk_installed():
        from fontTools.ttLib import TTCollection

        for path, weight in zip(CJK_FILES, (400, 700), strict=True):
            collection = TTCollection(str(path), lazy=True)
            for index, font in enumerate(collection.fonts):
                family = font["name"].getBestFamilyName()
                if family in {"Noto Sans CJK TC", "Noto Sans CJK SC"}:
                    found.append(FontFace(family, path, index, weight))
    return found


@functools.cache
def coverage() -> Coverage:
    """Read once per process: about 0.1 s, most of it the Chinese font's character map."""
    from fontTools.ttLib import TTFont

    characters: dict[str, set[int]] = {}
    for face in faces():
        if face.weight != 400 and not face.variable:
            continue
        font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        characters.setdefault(face.family, set()).update(font.getBestCmap())
    return Coverage({family: frozenset(chars) for family, chars in characters.items()})


def x_height(face: FontFace) -> float:
    """The face's x-height in ems: what it declares (OS/2 sxHeight), else its x's top."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    upem = font["head"].unitsPerEm
    declared = getattr(font["OS/2"], "sxHeight", 0)
    if declared:
        return declared / upem
    glyphs = font.getGlyphSet()
    pen = BoundsPen(glyphs)
    glyphs[font.getBestCmap()[ord("x")]].draw(pen)
    return pen.bounds[3] / upem


@functools.cache
def size_adjust() -> dict[str, float]:
    """Family -> the factor its text is drawn at, so every script shows Atkinson Hyperlegible's
    x-height at the size the stylesheet names (what CSS font-size-adjust does; WeasyPrint has
    no font-size-adjust). Noto Sans runs about 8 % larger than Atkinson at the same size; the
    Noto families of the other scripts are drawn to match Noto Sans, so they take its x-height
    too. Measured from the regular face of each family, once per process."""
    regular: dict[str, FontFace] = {}
    for face in faces():
        if face.weight == 400 or face.variable:
            regular.setdefault(face.family, face)
    base = x_height(regular[SIZE_BASE])
    return {family: round(base / x_height(face), 3) for family, face in regular.items()}


def size_adjust_of(pdf_font_name: str) -> float:
    """The factor a font in a PDF was drawn at, found by its PDF name, e.g.
    "ABCDEF+Noto-Sans-Arabic-Bold"; 1 for Atkinson Hyperlegible and fonts not ours."""
    name = pdf_font_name.lstrip("/").split("+", 1)[-1]
    factors = size_adjust()
    known = [family for family in factors if name.startswith(family.replace(" ", "-"))]
    return factors[max(known, key=len)] if known else 1.0
