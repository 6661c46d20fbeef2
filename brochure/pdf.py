"""Everything that touches WeasyPrint: fonts, safe URL fetching, layout and PDF bytes.

WeasyPrint is imported lazily (it costs about half a second) and only here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from brochure import fonts
from brochure.errors import BrochureError

MISSING_SYSTEM_LIBS = (
    "WeasyPrint cannot find the Pango text library. On Debian or Ubuntu run: "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
)


def load_weasyprint() -> Any:
    """Import WeasyPrint with our fonts only, or explain in one line which packages are missing."""
    fonts.use_packaged_fonts_only()
    try:
        import weasyprint
    except OSError as exc:
        raise BrochureError(f"{MISSING_SYSTEM_LIBS} ({exc})") from None
    return weasyprint


class WarningCollector(logging.Handler):
    """Keeps WeasyPrint's warnings (missing glyphs, bad CSS) so a build can report them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class Renderer:
    """One per process: reusing the font configuration and image cache keeps renders fast."""

    root: Path
    extra_roots: tuple[Path, ...] = ()
    cache: dict = field(default_factory=dict)

    @cached_property
    def weasyprint(self) -> Any:
        return load_weasyprint()

    @cached_property
    def font_config(self) -> Any:
        from weasyprint.text.fonts import FontConfiguration

        self.weasyprint  # noqa: B018 - fonts must be set up before FontConfiguration exists
        return FontConfiguration()

    @cached_property
    def fetcher(self) -> Any:
        return make_fetcher(self.weasyprint, (self.root, *self.extra_roots))

    def layout(self, html: str, base_url: Path) -> tuple[Any, list[str]]:
        """Lay out HTML into pages; return the document and WeasyPrint's warnings."""
        wp = self.weasyprint
        collector = WarningCollector()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        try:
            document = wp.HTML(
                string=html, base_url=str(base_url) + "/", url_fetcher=self.fetcher
            ).render(font_config=self.font_config, cache=self.cache)
        finally:
            logger.removeHandler(collector)
        return document, collector.messages

    def write(self, document: Any, **options: Any) -> bytes:
        return document.write_pdf(**options)


def make_fetcher(weasyprint: Any, roots: tuple[Path, ...]) -> Any:
    """A URL fetcher that reads data: URLs and files under our roots, and nothing else."""
    resolved = tuple(r.resolve() for r in roots)

    class ProjectFetcher(weasyprint.URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file":
                raise BrochureFetchError(
                    f"{url}: only files inside the project can be used, not network addresses"
                )
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(r) for r in resolved):
                raise BrochureFetchError(
                    f"{path}: this file is outside the project; copy it into the project folder"
                )
            return super().fetch(url, headers)

    return ProjectFetcher(allowed_protocols=("file", "data"))


class BrochureFetchError(Exception):
    """Raised by the fetcher; WeasyPrint turns it into a warning that the build reports."""
