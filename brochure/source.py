"""TEMPORARY shim until the input-hardening branch lands (it replaces this file)."""

from __future__ import annotations

from pathlib import Path

from brochure.content import read_yaml  # noqa: F401
from brochure.errors import BrochureError


def confined_file(folder: Path, relative: object, referrer: str, field: str) -> Path:
    if not isinstance(relative, str) or not relative:
        raise BrochureError(f"{referrer}: {field}: must be a file name")
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise BrochureError(f"{referrer}: {field}: {relative!r} is outside the project folder")
    if not path.is_file():
        raise BrochureError(f"{referrer}: {field}: {relative!r} was not found")
    return path
