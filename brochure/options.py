"""One options object per build, made once by the command line, `serve` or the bench."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from brochure.documents import OFFICE, DocumentSpec, Profile, select
from brochure.errors import BrochureError
from brochure.paths import default_templates


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from which files, into which folder, and how."""

    content: Path  # as the user gave it: messages name it that way
    templates: Path  # resolved folder
    out: Path
    profile: Profile = OFFICE
    documents: tuple[str, ...] = ()  # empty: every document the profile makes
    workers: int | None = None  # None: one per core
    force: bool = False  # rebuild even what is up to date
    #: Only these (edition, document) pairs; None: all. Preview and serve's first pass use it.
    only: frozenset[tuple[str, str]] | None = None

    @classmethod
    def create(
        cls,
        content: Path,
        templates: Path | None = None,
        out: Path = Path("build"),
        profile: Profile | None = None,
        **choices: object,
    ) -> BuildOptions:
        """Checked options: templates default to the folder beside the content file."""
        folder = (templates or default_templates(content)).resolve()
        if not folder.is_dir():
            raise BrochureError(f"{templates or folder}: templates folder not found")
        options = cls(Path(content), folder, Path(out), profile or OFFICE, **choices)  # type: ignore[arg-type]
        options.specs  # noqa: B018 - an unknown document is reported now, not mid-build
        return options

    def but(self, **changes: object) -> BuildOptions:
        """The same options with a few changed (serve's first pass, the bench)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def specs(self) -> list[DocumentSpec]:
        """The documents asked for, in build order, that this profile makes."""
        return select(list(self.documents), self.profile)

    @property
    def project_dir(self) -> Path:
        """The content file's folder: translations and images may come from here."""
        return self.content.resolve().parent
