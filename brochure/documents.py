"""The documents we print: their template, trim size, page count and how to print them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from brochure.errors import BrochureError

PT_PER_IN = 72
#: Parts of content.yml every template may show: the program, the language and date, the
#: draft mark's words. Everything else a document declares in its spec's `reads`.
COMMON_CONTENT = frozenset({"language", "revised", "program", "draft_band", "draft_word"})


@dataclass(frozen=True)
class PanelSpec:
    """One panel of a folded sheet: its key in templates and CSS, its name, its width."""

    key: str  # "flap": the template's panel--flap, the CSS variables --flap-left/--flap-width
    label: str  # "tuck-in flap": what the preview guides call it
    width_in: float


@dataclass(frozen=True)
class DocumentSpec:
    """One document, declared once: everything the build, checks, catalog, preview and serve
    need to know about it comes from here and from its template (README: "Adding a document").
    """

    name: str
    title: str
    width_in: float
    height_in: float
    pages: int  # exactly this many pages, or the most when min_pages is set
    paper: str  # what to load in the printer
    sides: str  # one- or two-sided, and which edge to flip on
    template: str | None = None  # None: made from another document's PDF, not laid out
    made_from: str | None = None
    #: Boxes that must hold all their text (template: data-fit="NAME" + fit_end marker).
    fit_boxes: tuple[str, ...] = ()
    box_word: str = ""  # what a box is called in messages: "panel", "face"
    #: What the print dialog should propose (PDF ViewerPreferences /Duplex).
    duplex: str = "Simplex"
    profiles: tuple[str, ...] = ("office", "press")
    #: Panels left to right on each page (folded documents only). The only place their widths
    #: are written: templates receive them as CSS variables, guides and proof marks use them.
    panels: tuple[tuple[PanelSpec, ...], ...] = ()

    #: The fewest pages, for a document whose length follows its words (large print).
    min_pages: int | None = None
    #: The parts of content.yml the template shows ("faq", or part of a part: "trifold.cover").
    #: A template that reaches for another part stops with an error naming its line;
    #: documents reading `cities` get a copy per city.
    reads: tuple[str, ...] = ()
    #: Body type at least this large, above content.yml's checks.min_body_pt (large print).
    min_body_pt: float | None = None

    #: Every document prints at actual size: "fit to page" would move the folds and cuts.
    scale: str = "100 % (Actual size), never 'Fit to page'"

    @property
    def page_range(self) -> tuple[int, int]:
        return (self.min_pages or self.pages, self.pages)

    @property
    def per_city(self) -> bool:
        """A city edition makes this document only when its words differ by city."""
        return "cities" in self.reads

    def shows(self, loc: tuple) -> bool:
        """Whether the template shows the content.yml field at LOC (its declared reads)."""
        names = [str(part) for part in loc]
        return any(read.split(".") == names[: read.count(".") + 1] for read in self.reads)

    @property
    def weight(self) -> float:
        """Rough cost of laying it out (page area), so the slowest jobs start first."""
        return self.width_in * self.height_in * self.pages

    @property
    def folds(self) -> tuple[tuple[float, ...], ...]:
        """Fold positions in inches from each page's left edge, from the panel widths."""
        positions = []
        for page in self.panels:
            x, folds = 0.0, []
            for panel in page[:-1]:
                x += panel.width_in
                folds.append(x)
            positions.append(tuple(folds))
        return tuple(positions)

    def for_direction(self, direction: str) -> DocumentSpec:
        """The document as a right-to-left reader opens it: each page's panels in the mirror
        order, so the front cover is the left-hand panel, the flap the right-hand one, and the
        narrower inside panel is on the left. Same widths; folds, CSS variables, proof marks
        and preview guides all follow from the panels."""
        if direction != "rtl" or not self.panels:
            return self
        return replace(self, panels=tuple(tuple(reversed(page)) for page in self.panels))

    def panel_geometry(self) -> dict[str, tuple[float, float]]:
        """Each panel's left edge and width in inches, by key, for the CSS variables."""
        found = {}
        for page, starts in zip(self.panels, self.folds, strict=True):
            for panel, left in zip(page, (0.0, *starts), strict=True):
                found[panel.key] = (left, panel.width_in)
        return found

    @property
    def how_to_print(self) -> str:
        return f"{self.paper}; {self.sides}; {self.scale}"

    @property
    def size_pt(self) -> tuple[float, float]:
        return (self.width_in * PT_PER_IN, self.height_in * PT_PER_IN)

    @property
    def filename(self) -> str:
        return f"{self.name}.pdf"


DOCUMENTS: dict[str, DocumentSpec] = {
    spec.name: spec
    for spec in (
        DocumentSpec(
            name="trifold",
            title="Tri-fold brochure (roll fold)",
            width_in=11,
            height_in=8.5,
            pages=2,
            template="trifold.html.j2",
            reads=("trifold", "cities", "closing", "crisis", "speak"),
            fit_boxes=("flap", "back", "cover", "inside-left", "inside-middle", "inside-right"),
            box_word="panel",
            paper="Letter paper (8.5 x 11 in)",
            sides="Two-sided, flip on SHORT edge",
            duplex="DuplexFlipShortEdge",
            # Roll fold: the tuck-in flap and its back are 1/16 in narrower, so the flap
            # folds inside without buckling.
            panels=(
                (
                    PanelSpec("flap", "tuck-in flap", 3.625),
                    PanelSpec("back", "back cover", 3.6875),
                    PanelSpec("cover", "front cover", 3.6875),
                ),
                (
                    PanelSpec("inside-left", "inside left", 3.6875),
                    PanelSpec("inside-middle", "inside middle", 3.6875),
                    PanelSpec("inside-right", "inside right", 3.625),
                ),
            ),
        ),
        DocumentSpec(
            name="faq",
            title="One-page FAQ",
            width_in=8.5,
            height_in=11,
            pages=1,
            template="faq.html.j2",
            reads=("faq.title", "faq.intro", "faq.items", "faq.call", "closing", "speak", "crisis"),
            fit_boxes=("page",),
            paper="Letter paper (8.5 x 11 in)",
            sides="One-sided",
        ),
        DocumentSpec(
            name="wallet-card",
            title="Wallet card (front and back)",
            width_in=3.5,
            height_in=2,
            pages=2,
            template="wallet-card.html.j2",
            reads=("card", "crisis"),
            fit_boxes=("front", "back"),
            box_word="face",
            paper="For a print shop: 3.5 x 2 in card stock (or use the card sheet)",
            sides="Two-sided, flip on SHORT edge",
            duplex="DuplexFlipShortEdge",
        ),
        DocumentSpec(
            name="wallet-card-sheet",
            title="Wallet cards, 10 to a sheet (Avery 5371/8371)",
            width_in=8.5,
            height_in=11,
            pages=2,
            made_from="wallet-card",
            duplex="DuplexFlipLongEdge",
            # Print shops impose the single card (with bleed) themselves: office only.
            profiles=("office",),
            paper="Avery 5371/8371 card sheets, or Letter card stock (cut on the marks)",
            sides="Two-sided, flip on LONG edge",
        ),
        DocumentSpec(
            name="tear-off-flyer",
            title="Tear-off flyer",
            width_in=8.5,
            height_in=11,
            pages=1,
            template="tear-off-flyer.html.j2",
            fit_boxes=("message", *(f"tab {n}" for n in range(1, 9))),
            reads=("trifold.cover", "trifold.back.how_to_reach", "crisis"),
            paper="Letter paper (8.5 x 11 in)",
            sides="One-sided (then cut up each dashed line between the tabs, to the line above)",
        ),
        DocumentSpec(
            name="poster",
            title="Poster (Tabloid, 11 x 17 in)",
            width_in=11,
            height_in=17,
            pages=1,
            template="poster.html.j2",
            fit_boxes=("poster",),
            reads=("trifold.cover", "card.back.qr_caption", "speak", "crisis"),
            paper="Tabloid paper (11 x 17 in), or have it printed",
            sides="One-sided",
        ),
        DocumentSpec(
            name="faq-large-print",
            title="FAQ in large print",
            width_in=8.5,
            height_in=11,
            pages=4,
            min_pages=1,  # as many pages as its words take
            template="faq-large-print.html.j2",
            reads=("faq", "closing", "crisis"),
            min_body_pt=18,
            paper="Letter paper (8.5 x 11 in)",
            sides="Two-sided, flip on LONG edge (one-sided is fine too)",
            duplex="DuplexFlipLongEdge",
        ),
    )
}


@dataclass(frozen=True)
class ProfileRules:
    """What differs between the office printer and the print shop, asked of the profile."""

    bleed_in: float  # background colours run this far past the trim, so a cut never shows white
    pdf_variant: str  # office: PDF/UA for screen readers; press: PDF/X-4 (tagged as well)
    qr_ink: str  # pure black: RGB for the office, CMYK black for the press
    colour_profile: bool  # names a CMYK output intent (needs the ICC profile file)
    catalog: bool  # thumbnails and build/index.html for the front desk
    subfolder: str  # under the output folder; "" for the office files
    #: The most ink at one spot, in per cent (C+M+Y+K): more smears and dries slowly on an
    #: offset press. None: not measured (office printers manage their own ink).
    ink_limit: float | None = None


RULES = {
    "office": ProfileRules(0.0, "pdf/ua-1", "#000", False, True, ""),
    "press": ProfileRules(0.125, "pdf/x-4", "device-cmyk(0 0 0 1)", True, False, "press", 300.0),
}

#: Proofs only: more paper around the bleed, for the crop and fold marks (each side).
PROOF_SLUG_IN = 0.375
#: Marks start this far outside the trim, past the bleed (0.125 in) so no cover colour hides
#: them, and run MARK_LENGTH_IN outwards (0.25 in: long enough to see and to lay a ruler on).
MARK_OFFSET_IN = 0.1875
MARK_LENGTH_IN = 0.25


@dataclass(frozen=True)
class Profile:
    """How a file is made: for the office printer, or for a print shop."""

    name: str  # "office" or "press"
    proof: bool = False  # press only: crop and fold marks around the bleed, for checking by eye

    @property
    def rules(self) -> ProfileRules:
        return RULES[self.name]

    @property
    def bleed_in(self) -> float:
        return self.rules.bleed_in

    @property
    def slug_in(self) -> float:
        """Paper around the bleed: room for a proof's marks, none in a file for the shop."""
        return PROOF_SLUG_IN if self.proof else 0.0

    @property
    def pdf_variant(self) -> str:
        return self.rules.pdf_variant

    @property
    def qr_ink(self) -> str:
        return self.rules.qr_ink

    @property
    def colour_profile(self) -> bool:
        return self.rules.colour_profile

    @property
    def catalog(self) -> bool:
        return self.rules.catalog

    def folder(self, out_dir: Path, edition: str) -> Path:
        """Proofs never land where shop files are, so a file with marks is not sent by mistake."""
        sub = "proof" if self.proof else self.rules.subfolder
        return out_dir / sub / edition if sub else out_dir / edition

    def output_path(self, out_dir: Path, edition: str, document: str) -> Path:
        """The one place an output PDF's path is decided."""
        return self.folder(out_dir, edition) / DOCUMENTS[document].filename


def pages_of(spec: DocumentSpec, pdf: bytes | Path) -> int:
    """How many pages a built document has: its spec says, unless its length follows its
    words (large print); then the PDF is asked."""
    if spec.page_range[0] == spec.pages:
        return spec.pages
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(pdf)
    except (OSError, pypdfium2.PdfiumError):
        return spec.pages  # unreadable or gone: the check that reads it says why
    try:
        return len(document)
    finally:
        document.close()


def thumbnail_path(out_dir: Path, edition: str, document: str, number: int) -> Path:
    """Where the catalog's picture of one page goes (office files only)."""
    return out_dir / "thumbs" / edition / f"{document}-{number}.png"


PROFILES = tuple(RULES)
OFFICE = Profile("office")


def select(names: list[str], profile: Profile | None = None) -> list[DocumentSpec]:
    """The documents asked for, in build order, that this profile makes (all when none named)."""
    profile = profile or OFFICE
    unknown = [n for n in names if n not in DOCUMENTS]
    if unknown:
        known = ", ".join(DOCUMENTS)
        raise BrochureError(f"unknown document: {', '.join(unknown)} (choose from: {known})")
    wrong = [n for n in names if profile.name not in DOCUMENTS[n].profiles]
    if wrong:
        raise BrochureError(
            f"{', '.join(wrong)}: not made in the {profile.name} profile; a print shop lays "
            "out cards from wallet-card.pdf (build it with --profile press)"
        )
    wanted = names or list(DOCUMENTS)
    return [
        spec for spec in DOCUMENTS.values() if spec.name in wanted and profile.name in spec.profiles
    ]
