"""Proof marks: crop and fold marks drawn around the bleed of a finished press PDF (pikepdf).

Why not WeasyPrint's `@page { marks: crop }`: it draws them as an RGB-black background inside
the bleed (the only paper its page has) and under the page's own colours, so the cover colour
hid the cover-side marks, and an RGB mark has no place in a PDF/X file. Here each page gets
PROOF_SLUG_IN more paper on every side (MediaBox; TrimBox and BleedBox stay as they are) and
the marks are drawn on that paper, on top of everything, in black ink alone (`0 0 0 1 K`),
from MARK_OFFSET_IN outside the trim (past the bleed) for MARK_LENGTH_IN.
"""

from __future__ import annotations

import io

import pikepdf

from brochure.documents import (
    MARK_LENGTH_IN,
    MARK_OFFSET_IN,
    PROOF_SLUG_IN,
    PT_PER_IN,
    DocumentSpec,
)

LINE_PT = 0.5  # thin enough to cut on, thick enough to see on a proof
DASH = "[3 2] 0 d"  # fold marks are dashed, crop marks solid, as print shops draw them


def add_proof_marks(pdf: bytes, spec: DocumentSpec, bleed_in: float) -> bytes:
    """PDF with more paper around the bleed and crop (and fold) marks drawn on it."""
    margin = (bleed_in + PROOF_SLUG_IN) * PT_PER_IN
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for index, page in enumerate(document.pages):
            left, bottom, right, top = (float(v) for v in page.obj.TrimBox)
            media = pikepdf.Array([left - margin, bottom - margin, right + margin, top + margin])
            page.obj.MediaBox = media
            if pikepdf.Name.CropBox in page.obj:
                page.obj.CropBox = media
            folds = spec.folds[index] if index < len(spec.folds) else ()
            # The page's own drawing is closed in q/Q, so the marks start from a clean state.
            page.contents_add(b"q\n", prepend=True)
            page.contents_add(b"Q\n" + _marks((left, bottom, right, top), folds).encode())
        out = io.BytesIO()
        document.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def _marks(trim: tuple[float, float, float, float], folds: tuple[float, ...]) -> str:
    """Content-stream drawing of the marks, in PDF points, K ink only."""
    left, bottom, right, top = trim
    near, far = MARK_OFFSET_IN * PT_PER_IN, (MARK_OFFSET_IN + MARK_LENGTH_IN) * PT_PER_IN
    lines = []
    for x, outward_x in ((left, -1), (right, 1)):
        for y, outward_y in ((bottom, -1), (top, 1)):
            lines.append((x + outward_x * near, y, x + outward_x * far, y))  # along the edge
            lines.append((x, y + outward_y * near, x, y + outward_y * far))
    folds_at = [left + fold * PT_PER_IN for fold in folds]
    dashed = [(x, top + near, x, top + far) for x in folds_at]
    dashed += [(x, bottom - near, x, bottom - far) for x in folds_at]
    ops = ["q", "0 0 0 1 K", f"{LINE_PT} w", "0 J", "[] 0 d"]
    ops += [f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S" for x1, y1, x2, y2 in lines]
    if dashed:
        ops.append(DASH)
        ops += [f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S" for x1, y1, x2, y2 in dashed]
    ops.append("Q")
    return "\n".join(ops) + "\n"
