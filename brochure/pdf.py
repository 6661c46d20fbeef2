"""Everything that touches WeasyPrint: fonts, safe URL fetching, layout and PDF bytes.

WeasyPrint is imported lazily (it costs about half a second) and only here.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from brochure import fonts
from brochure.errors import BrochureError
from brochure.readback import arabic_reads_back

FONT_SUFFIXES = {".ttf", ".otf", ".woff", ".woff2"}
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
    from brochure.layoutboxes import mark_actual_text, tag_languages

    tag_languages()
    mark_actual_text()
    return weasyprint


@dataclass
class Fetched:
    """What the fetcher was asked for, in order: a CSS message refers to the last stylesheet."""

    urls: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: Local files read, by path, with the SHA-256 of the bytes handed to WeasyPrint.
    hashes: dict[str, str] = field(default_factory=dict)

    def local_paths(self) -> list[str]:
        """Every local file asked for, found or not."""
        return [str(path) for url in self.urls if (path := _local_path(url)) is not None]


@dataclass
class Renderer:
    """One per process: reusing the font configuration keeps renders fast."""

    roots: tuple[Path, ...]  # the only folders documents may read files from
    name_base: Path  # messages name files relative to this folder
    build_id: str = ""
    css_fonts: bool = False  # whether a stylesheet loaded a font file (@font-face)

    def start_build(self, build_id: str) -> None:
        """A new build: keep the packaged fonts warm unless a stylesheet loaded fonts of its
        own (WeasyPrint keeps those per font configuration, keyed by the rule, not the file)."""
        if build_id != self.build_id:
            self.build_id = build_id
            self._forget_css_fonts()

    def _forget_css_fonts(self) -> None:
        if self.css_fonts:
            self.__dict__.pop("font_config", None)
            self.css_fonts = False

    @cached_property
    def weasyprint(self) -> Any:
        return load_weasyprint()

    @cached_property
    def font_config(self) -> Any:
        self.weasyprint  # noqa: B018 - fonts must be set up before FontConfiguration exists
        from weasyprint.text.fonts import FontConfiguration

        return FontConfiguration()

    def layout(
        self, html: str, base_url: Path, source: str, variant: str | None = None
    ) -> tuple[Any, Report]:
        """Lay out HTML into pages; return the document and what WeasyPrint reported.

        SOURCE names the template the HTML came from, for messages.
        """
        wp = self.weasyprint
        # Each document fetches every file it uses itself, so each one's list of reads is
        # complete: WeasyPrint's caches (pictures by URL, @font-face fonts by rule) would
        # otherwise serve the second document from the first one's fetch, unrecorded.
        self._forget_css_fonts()
        report = Report(self.name_base, source)
        fetcher = make_fetcher(wp, self.roots, report.fetched)
        with report.capture():
            document = wp.HTML(
                string=html, base_url=str(base_url) + "/", url_fetcher=fetcher
            ).render(
                font_config=self.font_config,
                cache={},  # pictures: one document's only (see above)
                presentational_hints=False,
                pdf_variant=variant,
            )
        self.css_fonts |= any(
            Path(p).suffix.lower() in FONT_SUFFIXES for p in report.fetched.hashes
        )
        return document, report

    def write(
        self,
        document: Any,
        report: Report,
        variant: str | None = None,
        duplex: str = "Simplex",
        epoch: int = 0,
    ) -> bytes:
        """PDF bytes; glyph problems are only found now, while text is drawn.

        EPOCH (seconds) stamps the fonts fontTools rewrites (variable fonts are instanced and
        saved with a `modified` date); SOURCE_DATE_EPOCH, when set, wins. Every file is tagged,
        a print shop's PDF/X-4 too: the tags carry each line's words (/ActualText), which the
        Arabic read-back needs and which keep Devanagari and Vietnamese readable by pdftotext.
        """
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = previous or str(epoch)
        try:
            with report.capture():
                pdf = document.write_pdf(
                    pdf_variant=variant,
                    pdf_identifier=True,
                    pdf_tags=True,
                    finisher=_finisher(duplex),
                )
            return arabic_reads_back(pdf)[0]
        finally:
            if previous is None:
                del os.environ["SOURCE_DATE_EPOCH"]


def _finisher(duplex: str) -> Any:
    """Ask the print dialog for the right duplex and 100 % scale; make the bytes repeatable;
    put each picture's box where the picture is."""
    import pydyf

    def finish(document: Any, pdf: Any) -> None:
        prefs = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
        prefs["DisplayDocTitle"] = "true"
        prefs["PrintScaling"] = "/None"
        prefs["Duplex"] = f"/{duplex}"
        pdf.catalog["ViewerPreferences"] = prefs
        _fix_figure_boxes(document, pdf)
        _fix_document_id(pdf)

    return finish


def _fix_figure_boxes(document: Any, pdf: Any) -> None:
    """Move every tagged Figure's /BBox into PDF points.

    WeasyPrint 70 writes the box in CSS pixels from the page's top-left corner (layout
    coordinates), so on the card the QR code's box came out 4/3 too big, upside down and
    partly off the card. A PDF /BBox is in points from the bottom left; the page is drawn
    with the matrix [0.75 0 0 -0.75 0 height] (see weasyprint.pdf.generate_pdf), so the same
    matrix converts the box.
    """
    import pydyf

    scale = 0.75  # 72 pt per inch / 96 CSS px per inch; write_pdf is called with zoom 1
    pages = list(pdf.page_references)
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("S") != "/Figure":
            continue
        layout = obj.get("A")
        if obj.get("Pg") not in pages or "BBox" not in (layout or {}):
            continue
        number = pages.index(obj["Pg"])
        height = document.pages[number].height * scale
        x1, y1, x2, y2 = (float(v) for v in layout["BBox"])
        layout["BBox"] = pydyf.Array(
            round(v, 3) for v in (x1 * scale, height - y2 * scale, x2 * scale, height - y1 * scale)
        )


def _fix_document_id(pdf: Any) -> None:
    """PDF/X writes a random XMP DocumentID; derive it from the content instead."""
    reference = pdf.catalog.get("Metadata")
    if reference is None:
        return
    stream = pdf.objects[int(bytes(reference).split()[0])]
    data = b"".join(
        part if isinstance(part, bytes) else str(part).encode() for part in stream.stream
    )
    if b"xmp.did:" not in data:
        return
    digest = hashlib.sha256(
        b"".join(obj.data for obj in pdf.objects if obj is not stream and obj.free != "f")
    ).hexdigest()
    uuid_like = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    stream.stream = [re.sub(rb"xmp\.did:[0-9a-f-]{36}", f"xmp.did:{uuid_like}".encode(), data)]


@dataclass
class Report:
    """WeasyPrint's log for one document, turned into messages a designer can act on."""

    root: Path
    source: str
    fetched: Fetched = field(default_factory=Fetched)
    records: list[tuple[logging.LogRecord, str | None]] = field(default_factory=list)

    @contextmanager
    def capture(self) -> Iterator[None]:
        collector = _Collector(self)
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        try:
            yield
        finally:
            logger.removeHandler(collector)

    def errors(self) -> list[str]:
        """Every problem that would make the printed page differ from the template's intent."""
        out = [f"{self.source}: {self._where(url)}: {why}" for url, why in self.fetched.refused]
        for record, source in self.records:
            message = record.getMessage()
            if message.startswith("Ignored `"):
                out.append(_css_problem(message, self._where(source) if source else "CSS"))
            elif message.startswith("Failed to load"):
                problem = _load_problem(message, self)
                if problem:
                    out.append(problem)
        return list(dict.fromkeys(out))

    def missing_glyphs(self) -> list[str]:
        """Characters drawn as empty boxes because no font of ours has them."""
        chars = [
            record.args[0]
            for record, _ in self.records
            if record.getMessage().startswith(".notdef glyph") and record.args
        ]
        return list(dict.fromkeys(chars))

    def _where(self, url: str) -> str:
        path = _local_path(url)
        if path is None:
            return url
        return (
            path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
        )


class _Collector(logging.Handler):
    def __init__(self, report: Report) -> None:
        super().__init__(logging.WARNING)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        css = [u for u in self.report.fetched.urls if u.endswith(".css")]
        self.report.records.append((record, css[-1] if css else None))


def _css_problem(message: str, where: str) -> str:
    """`Ignored `colr: red` at 12:3, unknown property.` -> file:12:3: what, and what to do."""
    match = re.match(r"Ignored `(.*)` at (\d+):(\d+), (.*?)\.?$", message, re.S)
    if not match:
        return f"{where}: {message}"
    rule, line, column, why = match.groups()
    return f"{where}:{line}:{column}: `{rule}` was ignored ({why}); fix or remove it"


def _load_problem(message: str, report: Report) -> str | None:
    match = re.match(r"Failed to load (\w+) at '?([^' ]+)'? ?: (.*)", message, re.S)
    if not match:
        return message
    kind, url, why = match.groups()
    if any(url == refused for refused, _ in report.fetched.refused):
        return None  # already reported, with the reason we refused it
    where = report._where(url)
    if "No such file" in why or "FileNotFound" in why:
        return f"{where}: cannot load this {kind} (file not found); check its name and path"
    if kind == "image":
        return (
            f"{where}: cannot read this picture ({why.strip() or 'not a picture file'}); "
            "save it again as PNG, JPEG or SVG and check that it opens"
        )
    return f"{where}: cannot load this {kind} ({why.strip() or 'unreadable'}); check the file"


def _local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path)).resolve()


#: Larger files are not pictures or stylesheets for a handout; refusing them keeps a mistaken
#: link to a huge file (or /dev/zero through a link) from eating the machine's memory.
MAX_FETCH_BYTES = 32 * 1024 * 1024


def make_fetcher(weasyprint: Any, roots: tuple[Path, ...], fetched: Fetched) -> Any:
    """A URL fetcher that reads data: URLs and regular files under our roots, nothing else.

    It reads local files itself, so it can confine them before reading, and record a hash of
    exactly the bytes used (the incremental check compares those next time).
    """
    import mimetypes
    import stat

    resolved = tuple(r.resolve() for r in roots)

    class ProjectFetcher(weasyprint.URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlsplit(url).scheme
            if scheme == "data":
                return super().fetch(url, headers)
            fetched.urls.append(url)
            if scheme != "file":
                return refuse(url, "only files inside the project can be used, not web addresses")
            path = _local_path(url)
            if path is None or not any(path.is_relative_to(r) for r in resolved):
                return refuse(url, "this file is outside the project; copy it in first")
            try:
                info = path.stat()
            except OSError:
                raise FileNotFoundError(f"No such file: {path}") from None
            if not stat.S_ISREG(info.st_mode):
                return refuse(url, "this is not a regular file (a folder, a pipe or a device?)")
            if info.st_size > MAX_FETCH_BYTES:
                return refuse(url, f"the file is over {MAX_FETCH_BYTES // 2**20} MB")
            data = path.read_bytes()
            fetched.hashes[str(path)] = hashlib.sha256(data).hexdigest()
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(path.as_uri(), data, {"Content-Type": kind})

    def refuse(url: str, why: str) -> Any:
        fetched.refused.append((url, f"refused to load: {why}"))
        raise ValueError(why)

    return ProjectFetcher(allowed_protocols=("file", "data"))
