"""Fonts come from packages we name, never from whatever the machine has, so every machine
prints the same.

WeasyPrint finds fonts through fontconfig. Pointing FONTCONFIG_FILE at a config that lists only
our font folders, before WeasyPrint loads, means a glyph can never fall back to whatever font
a machine happens to have installed. Latin, Arabic and Devanagari fonts are PyPI packages; the
Han font (Noto Sans CJK) is Debian's fonts-noto-cjk, named file by file (PyPI has none): only
its two sans-serif files are linked into a folder of our own, so its serif never shows up.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
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


def fontconfig_xml(dirs: list[Path], cache_dir: Path) -> str:
    prefer = "".join(f"<family>{escape(name)}</family>" for name in FAMILIES)
    dir_lines = "".join(f"  <dir>{escape(str(d))}</dir>\n" for d in dirs)
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n{dir_lines}  <cachedir>{escape(str(cache_dir))}</cachedir>\n"
        "  <alias><family>sans-serif</family>"
        f"<prefer>{prefer}</prefer></alias>\n</fontconfig>\n"
    )


def use_packaged_fonts_only() -> None:
    """Write our fontconfig file and point this process at it. Call before importing WeasyPrint."""
    dirs = font_dirs()
    key = hashlib.sha256("\n".join(map(str, dirs)).encode()).hexdigest()[:12]
    root = Path(tempfile.gettempdir()) / f"brochure-fonts-{os.getuid()}-{key}"
    root.mkdir(parents=True, exist_ok=True)
    conf = root / "fonts.conf"
    xml = fontconfig_xml(dirs, root / "cache")
    if not conf.exists() or conf.read_text() != xml:
        tmp = conf.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(xml)
        tmp.replace(conf)
    os.environ["FONTCONFIG_FILE"] = str(conf)
