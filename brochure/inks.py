"""Ink on paper: what a press file paints, read back from its finished bytes (pikepdf).

Why from the content streams rather than a rendering of the separations: every mark in our
press files is a flat vector fill or stroke (no pictures, no overprint, no blend modes), so the
most ink at any spot of a page (total area coverage, TAC) is exactly the heaviest colour
painted on it, at any resolution; a rendering at a few dozen dpi can miss a hairline, and
needs Ghostscript on every machine that builds. Transparency only mixes colours already
counted, so it cannot raise the figure. Whatever the reading cannot vouch for (an RGB or grey
colour, an RGB picture, overprint, a colour space or shading it does not know) is reported as
a problem, never guessed. The tests compare the figures with Ghostscript's separations.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace

import pikepdf
from pikepdf import Name

FILL_OPS = {"f", "F", "f*"}
STROKE_OPS = {"S", "s"}
BOTH_OPS = {"B", "B*", "b", "b*"}
TEXT_OPS = {"Tj", "TJ", "'", '"'}
#: Text render modes (Tr) that fill, stroke, or both; 3 and 7 paint nothing.
TEXT_FILLS, TEXT_STROKES = {0, 2, 4, 6}, {1, 2, 5, 6}


@dataclass(frozen=True)
class PageInk:
    """One page: the most ink at any spot, and the paint a press cannot take as it is."""

    number: int
    coverage: float  # per cent, C + M + Y + K of the heaviest colour painted
    colour: tuple[float, ...]  # that colour (0-1 per ink)
    problems: tuple[str, ...] = ()


@dataclass
class _Colour:
    """A current colour: its kind ('cmyk', 'rgb', 'gray', 'pattern', or what else it is)."""

    kind: str = "gray"
    values: tuple[float, ...] = (0.0,)
    pattern: str = ""  # the pattern's name in the resources, when kind is 'pattern'
    base: str = ""  # the colour space under an uncoloured pattern


@dataclass
class _State:
    fill: _Colour = field(default_factory=_Colour)
    stroke: _Colour = field(default_factory=_Colour)
    text_mode: int = 0

    def copy(self) -> _State:
        return _State(replace(self.fill), replace(self.stroke), self.text_mode)


@dataclass
class _Page:
    """What one page was found to paint."""

    heaviest: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)
    problems: list[str] = field(default_factory=list)
    mask: bool = False  # a soft mask's content: shapes what is painted, lays no ink itself

    def ink(self, values: tuple[float, ...]) -> None:
        if sum(values) > sum(self.heaviest):
            self.heaviest = tuple(values)

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)


def measure(pdf: bytes) -> list[PageInk]:
    """Every page's heaviest ink and its non-CMYK paint, read from all its content streams
    (page, form XObjects, tiling patterns, shadings, pictures)."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            seen = _Page()
            _group(page.obj, seen, "the page")
            _walk(page.obj, page.obj.get(Name.Resources, pikepdf.Dictionary()), seen, set())
            coverage = round(sum(seen.heaviest) * 100, 1)
            found.append(PageInk(number, coverage, seen.heaviest, tuple(seen.problems)))
    return found


def _walk(stream: pikepdf.Object, resources: pikepdf.Object, page: _Page, busy: set) -> None:
    """Follow one content stream, keeping the colours of the graphics state (q/Q)."""
    key = stream.objgen
    if key != (0, 0) and key in busy:
        return  # a form that draws itself: PDF readers stop too
    busy = busy | {key}
    state, stack = _State(), []
    for instruction in pikepdf.parse_content_stream(stream):
        op = str(instruction.operator)
        args = list(instruction.operands) if op != "INLINE IMAGE" else []
        if op == "q":
            stack.append(state.copy())
        elif op == "Q" and stack:
            state = stack.pop()
        elif op in ("cs", "CS"):
            colour = _space(args[0], resources)
            _set(state, op == "cs", colour)
        elif op in ("sc", "scn", "SC", "SCN"):
            target = state.fill if op in ("sc", "scn") else state.stroke
            target.values = tuple(float(a) for a in args if not isinstance(a, pikepdf.Name))
            if args and isinstance(args[-1], pikepdf.Name):
                target.pattern = str(args[-1])
        elif op in ("k", "K", "rg", "RG", "g", "G"):
            kind = {"k": "cmyk", "rg": "rgb", "g": "gray"}[op.lower()]
            _set(state, op.islower(), _Colour(kind, tuple(float(a) for a in args)))
        elif op == "Tr":
            state.text_mode = int(args[0])
        elif op == "gs":
            _graphics_state(resources, args[0], page)
        elif op in FILL_OPS | STROKE_OPS | BOTH_OPS:
            if op not in STROKE_OPS:
                _paint(state.fill, resources, page, "a shape", busy)
            if op not in FILL_OPS:
                _paint(state.stroke, resources, page, "a line", busy)
        elif op in TEXT_OPS:
            if state.text_mode in TEXT_FILLS:
                _paint(state.fill, resources, page, "text", busy)
            if state.text_mode in TEXT_STROKES:
                _paint(state.stroke, resources, page, "outlined text", busy)
        elif op == "sh":
            shading = resources.get(Name.Shading, {}).get(str(args[0]))
            _shading(shading, resources, page)
        elif op == "Do":
            _xobject(resources.get(Name.XObject, {}).get(str(args[0])), state, page, busy)
        elif op == "INLINE IMAGE":
            page.problem("a picture written inside the page (inline image)")


def _set(state: _State, fill: bool, colour: _Colour) -> None:
    if fill:
        state.fill = colour
    else:
        state.stroke = colour


def _space(name: object, resources: pikepdf.Object) -> _Colour:
    """A colour space by name, with its initial colour (PDF 8.6.8: black, or no pattern)."""
    kind = _kind(name, resources)
    if kind.startswith("pattern"):
        return _Colour("pattern", (), base=kind.partition(" ")[2])
    initial = {"cmyk": (0.0, 0.0, 0.0, 1.0), "rgb": (0.0, 0.0, 0.0)}.get(kind, (0.0,))
    return _Colour(kind, initial)


def _kind(space: object, resources: pikepdf.Object | None) -> str:
    """'cmyk', 'rgb', 'gray', 'pattern BASE', or a description of anything else."""
    if isinstance(space, pikepdf.Name):
        named = {"/DeviceCMYK": "cmyk", "/DeviceRGB": "rgb", "/DeviceGray": "gray"}
        if str(space) in named:
            return named[str(space)]
        if str(space) == "/Pattern":
            return "pattern "
        listed = resources.get(Name.ColorSpace, {}) if resources is not None else {}
        if str(space) in listed:
            return _kind(listed[str(space)], None)
        return f"the unknown colour space {space}"
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased":
            return {4: "cmyk", 3: "rgb", 1: "gray"}.get(int(space[1].get(Name.N, 0)), "ICC")
        if family in ("/CalRGB", "/CalGray", "/Lab"):
            return {"/CalRGB": "rgb", "/CalGray": "gray", "/Lab": "Lab"}[family]
        if family == "/Pattern":
            return "pattern " + (_kind(space[1], resources) if len(space) > 1 else "")
        if family in ("/Separation", "/DeviceN"):
            return "a spot colour (Separation/DeviceN)"
        if family == "/Indexed":
            return "an indexed colour (" + _kind(space[1], resources) + ")"
    return "an unreadable colour space"


WHAT = {"rgb": "in RGB", "gray": "in grey (DeviceGray)", "Lab": "in Lab", "ICC": "in an ICC colour"}


def _paint(colour: _Colour, resources: pikepdf.Object, page: _Page, what: str, busy: set) -> None:
    """Count the ink of one painting operation, or report why it cannot be counted."""
    if colour.kind == "cmyk":
        page.ink(colour.values)
    elif page.mask and colour.kind == "gray":
        return  # masks are drawn in grey by nature
    elif colour.kind == "pattern":
        pattern = resources.get(Name.Pattern, {}).get(colour.pattern)
        if pattern is None:
            page.problem(f"{what} painted with a pattern that is missing")
        elif int(pattern.get(Name.PatternType, 0)) == 2:
            _shading(pattern.get(Name.Shading), resources, page)
        elif int(pattern.get(Name.PaintType, 1)) == 2:  # uncoloured: the colour comes with it
            _paint(_Colour(colour.base, colour.values), resources, page, what, busy)
        else:
            _walk(pattern, pattern.get(Name.Resources, pikepdf.Dictionary()), page, busy)
    else:
        page.problem(f"{what} {WHAT.get(colour.kind, 'in ' + colour.kind)}")


def _shading(shading: pikepdf.Object | None, resources: pikepdf.Object, page: _Page) -> None:
    """A gradient's heaviest ink: with our functions (exponential, stitched), an end colour."""
    if shading is None:
        page.problem("a gradient that is missing")
        return
    kind = _kind(shading.get(Name.ColorSpace), resources)
    if kind != "cmyk":
        page.problem(f"a gradient {WHAT.get(kind, 'in ' + kind)}")
        return
    ends = _function_ends(shading.get(Name.Function))
    if ends is None:
        page.problem("a gradient whose ink cannot be read (a mesh or sampled function)")
    for values in ends or ():
        page.ink(values)


def _function_ends(function: pikepdf.Object | None) -> list[tuple[float, ...]] | None:
    """End colours of exponential (type 2) and stitching (type 3) functions; their sum of inks
    is monotonic between the ends, so the heaviest is one of them. None: cannot tell."""
    if function is None:
        return None
    if isinstance(function, pikepdf.Array):
        outputs = [_function_ends(f) for f in function]  # one function per ink
        if any(o is None for o in outputs):
            return None
        return [tuple(o[i][0] for o in outputs) for i in (0, -1)]  # type: ignore[index]
    kind = int(function.get(Name.FunctionType, -1))
    if kind == 2:
        start = tuple(float(v) for v in function.get(Name.C0, [0.0]))
        end = tuple(float(v) for v in function.get(Name.C1, [1.0]))
        return [start, end]
    if kind == 3:
        ends = [_function_ends(f) for f in function.Functions]
        if any(e is None for e in ends):
            return None
        return [values for pair in ends for values in pair]  # type: ignore[union-attr]
    return None


def _xobject(xobject: pikepdf.Object | None, state: _State, page: _Page, busy: set) -> None:
    if xobject is None:
        page.problem("a drawing that is missing (XObject)")
        return
    subtype = xobject.get(Name.Subtype)
    if subtype == Name.Form:
        _group(xobject, page, "a drawing")
        _walk(xobject, xobject.get(Name.Resources, pikepdf.Dictionary()), page, busy)
    elif subtype == Name.Image:
        if xobject.get(Name.ImageMask, False):
            _paint(state.fill, pikepdf.Dictionary(), page, "a stencil picture", busy)
            return
        kind = _kind(xobject.get(Name.ColorSpace), None)
        if kind != "cmyk":
            page.problem(f"a picture {WHAT.get(kind, 'in ' + kind)}")
            return
        pixels = pikepdf.PdfImage(xobject).as_pil_image().convert("CMYK").tobytes()
        heaviest = max((pixels[i : i + 4] for i in range(0, len(pixels), 4)), key=sum)
        page.ink(tuple(v / 255 for v in heaviest))


def _group(obj: pikepdf.Object, page: _Page, what: str) -> None:
    """A transparency group blends in its colour space: RGB there is RGB in the file."""
    group = obj.get(Name.Group)
    if group is not None and Name.CS in group:
        kind = _kind(group.CS, obj.get(Name.Resources))
        if kind != "cmyk":
            page.problem(f"{what} blends its transparency {WHAT.get(kind, 'in ' + kind)}")


def _graphics_state(resources: pikepdf.Object, name: object, page: _Page) -> None:
    """Overprint lays inks on top of each other: the colours alone no longer tell the ink."""
    state = resources.get(Name.ExtGState, {}).get(str(name))
    if state is None:
        return
    if state.get(Name.OP, False) or state.get(Name("/op"), False):
        page.problem("overprint (inks laid on top of each other)")
    mask = state.get(Name.SMask)
    if isinstance(mask, pikepdf.Dictionary) and Name.G in mask:
        # A soft mask only shapes what is painted: check its colours, count no ink.
        masked = _Page(mask=True)
        _group(mask.G, masked, "a transparency mask")
        _walk(mask.G, mask.G.get(Name.Resources, pikepdf.Dictionary()), masked, set())
        for problem in masked.problems:
            page.problem(problem)
