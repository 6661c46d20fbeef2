"""The documents we print: their template, trim size, page count and how to print them."""

from __future__ import annotations

from dataclasses import dataclass

PT_PER_IN = 72


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    title: str
    width_in: float
    height_in: float
    pages: int
    how_to_print: str
    template: str | None = None  # None: made from another document's PDF, not laid out
    made_from: str | None = None
    #: Boxes that must hold all their text (template: data-fit="NAME" + fit_end marker).
    fit_boxes: tuple[str, ...] = ()
    box_word: str = ""  # what a box is called in messages: "panel", "face"

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
            fit_boxes=("flap", "back", "cover", "inside-left", "inside-middle", "inside-right"),
            box_word="panel",
            how_to_print="Letter paper, two-sided, flip on SHORT edge, 100 % scale (not 'fit')",
        ),
        DocumentSpec(
            name="faq",
            title="One-page FAQ",
            width_in=8.5,
            height_in=11,
            pages=1,
            template="faq.html.j2",
            fit_boxes=("page",),
            how_to_print="Letter paper, one-sided, 100 % scale",
        ),
        DocumentSpec(
            name="wallet-card",
            title="Wallet card (front and back)",
            width_in=3.5,
            height_in=2,
            pages=2,
            template="wallet-card.html.j2",
            fit_boxes=("front", "back"),
            box_word="face",
            how_to_print="For a print shop: 3.5 x 2 in card stock, two-sided",
        ),
        DocumentSpec(
            name="wallet-card-sheet",
            title="Wallet cards, 10 to a sheet (Avery 5371/8371)",
            width_in=8.5,
            height_in=11,
            pages=2,
            made_from="wallet-card",
            how_to_print=(
                "Avery 5371/8371 or Letter card stock, two-sided, flip on LONG edge, 100 % scale"
            ),
        ),
    )
}


def select(names: list[str]) -> list[DocumentSpec]:
    """The documents asked for, in build order: a document's source comes before it."""
    unknown = [n for n in names if n not in DOCUMENTS]
    if unknown:
        from brochure.errors import BrochureError

        known = ", ".join(DOCUMENTS)
        raise BrochureError(f"unknown document: {', '.join(unknown)} (choose from: {known})")
    wanted = names or list(DOCUMENTS)
    return [spec for spec in DOCUMENTS.values() if spec.name in wanted]
