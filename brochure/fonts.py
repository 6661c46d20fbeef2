"""Fonts come from PyPI packages, never from the machine, so every machine prints the same.

WeasyPrint finds fonts through fontconfig. Pointing FONTCONFIG_FILE at a config that lists only
our font folders, before WeasyPrint loads, means a glyph can never fall back to whatever font
a machine happens to have installed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from html import escape
from pathlib import Path

import fontpkg

#: Body font first, then the fallback that covers accented Latin and more.
FAMILIES = ("Atkinson Hyperlegible", "Noto Sans")


def font_dirs() -> list[Path]:
    """Folders holding the font files of every family we use."""
    dirs: list[Path] = []
    for name in FAMILIES:
        for font_file in fontpkg.family(name).files:
            folder = Path(font_file.path).parent
            if folder not in dirs:
                dirs.append(folder)
    return dirs


def font_files() -> list[Path]:
    return sorted(p for d in font_dirs() for p in d.iterdir() if p.suffix in {".ttf", ".otf"})


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
