"""Where things are. Cheap to import: the no-op rebuild check uses it before anything heavy."""

from __future__ import annotations

from pathlib import Path

from brochure.errors import BrochureError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent

#: The CMYK output condition for press files: Artifex's SWOP profile from Debian's
#: libgs-common (SWOP is the usual US offset-printing condition).
CMYK_PROFILES = (Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),)


def cmyk_profile() -> Path:
    """The ICC profile press files name as their output intent, or a clear error."""
    for path in CMYK_PROFILES:
        if path.is_file():
            return path
    raise BrochureError(
        "press files need a CMYK colour profile and none was found; "
        "run `make system-deps` as root, or: apt-get install libgs-common"
    )


def default_templates(content: Path) -> Path:
    """The `templates` folder beside the content file, else the ones brochure comes with."""
    beside = content.resolve().parent / "templates"
    return beside if beside.is_dir() else packaged_templates()


def packaged_templates() -> Path:
    """This checkout's templates/, or, in an installed wheel, the copy shipped in the package
    (pyproject.toml maps templates/ to brochure.templates)."""
    checkout = PROJECT_ROOT / "templates"
    if checkout.is_dir() and (PACKAGE.parent / "pyproject.toml").is_file():
        return checkout
    return PACKAGE / "templates"
