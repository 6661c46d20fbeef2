"""Preflight: a PDF that is not what the document promises is never written."""

from __future__ import annotations

import io

from pypdf import PdfReader

from brochure.documents import DocumentSpec
from brochure.errors import BrochureError


def check_page_count(spec: DocumentSpec, pages: int) -> None:
    """A page too many means text spilled out of a box; a page too few means a face is lost."""
    if pages != spec.pages:
        raise BrochureError(
            f"{spec.name}: laid out on {pages} page(s) but must have exactly {spec.pages}; "
            "some text does not fit its box: shorten it or make the type smaller"
        )


def check_pdf(spec: DocumentSpec, pdf: bytes) -> None:
    """Read the finished bytes back: page count and trim size must match the spec."""
    reader = PdfReader(io.BytesIO(pdf))
    check_page_count(spec, len(reader.pages))
    want_w, want_h = spec.size_pt
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        if abs(float(box.width) - want_w) > 0.5 or abs(float(box.height) - want_h) > 0.5:
            raise BrochureError(
                f"{spec.name}: page {number} is {float(box.width):.1f} x "
                f"{float(box.height):.1f} pt but must be {want_w:.1f} x {want_h:.1f} pt; "
                "check the @page size in the document's stylesheet"
            )
