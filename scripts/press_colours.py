"""`make press-colours`: convert the office palette to the press palette, once, after a colour
in templates/css/tokens.css changed.

Reads every `--name: #rrggbb` token of tokens.css, converts it through the SWOP profile the
press files name (brochure/palette.py says how: relative colorimetric, K only for body text,
nearest printable colour where SWOP cannot reach), and writes the result between the BEGIN and
END lines of templates/css/profile-press.css, with each colour's CIEDE2000 difference from the
office colour and its ink. Prints the same table. `--check` writes nothing and exits 1 when
the stored palette is not what the conversion gives (tests/test_press_colour.py does the same).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from brochure.errors import BrochureError  # noqa: E402
from brochure.palette import (  # noqa: E402
    GOOD_ENOUGH,
    INTENT_NAME,
    K_ONLY,
    PressColour,
    convert_palette,
    office_palette,
)
from brochure.paths import cmyk_profile  # noqa: E402

TOKENS = ROOT / "templates" / "css" / "tokens.css"
PRESS = ROOT / "templates" / "css" / "profile-press.css"
BEGIN = "/* BEGIN press palette"
END = "/* END press palette */"


def block(colours: list[PressColour], profile: Path) -> str:
    """The palette as CSS, with what a designer needs to judge it beside each colour."""
    lines = [
        f"{BEGIN}: written by `make press-colours` (scripts/press_colours.py) from tokens.css,",
        f"   through {profile.name} (SWOP) with littleCMS, {INTENT_NAME}.",
        "   Do not edit by hand: change tokens.css, then run `make press-colours`.",
        "   dE00: CIEDE2000 from the office colour (under 3 is hard to tell apart side by side);",
        "   ink: C+M+Y+K. */",
        ":root {",
    ]
    for colour in colours:
        note = f"{colour.office}"
        if colour.how == "K only":
            note += f", K only ({K_ONLY[colour.name]})"
        elif colour.how == "nearest printable":
            note += (
                f", outside SWOP's gamut: nearest printable colour"
                f" (the profile's own mapping was {colour.profile_delta_e:.1f})"
            )
        note += f"; dE00 {colour.delta_e:.1f}; ink {colour.coverage:.0f} %"
        lines.append(f"  --{colour.name}: {colour.css};  /* {note} */")
    lines += ["}", END]
    return "\n".join(lines)


def replaced(stylesheet: str, new_block: str) -> str:
    """The stylesheet with its palette block replaced; a clear error if the markers are gone."""
    start, end = stylesheet.find(BEGIN), stylesheet.find(END)
    if start < 0 or end < start:
        raise BrochureError(
            f"{PRESS.relative_to(ROOT)}: the lines `{BEGIN} ...` and `{END}` are missing; "
            "put them back around the press colours (see git history) and run again"
        )
    return stylesheet[:start] + new_block + stylesheet[end + len(END) :]


def main(argv: list[str]) -> int:
    try:
        profile = cmyk_profile()
        colours = convert_palette(office_palette(TOKENS.read_text(encoding="utf-8")), profile)
        old = PRESS.read_text(encoding="utf-8")
        new = replaced(old, block(colours, profile))
    except BrochureError as exc:
        print(exc, file=sys.stderr)
        return 1
    for c in colours:
        flag = "" if c.delta_e <= GOOD_ENOUGH else f"  ({c.how})"
        ink = f"ink {c.coverage:3.0f} %"
        print(f"{c.name:<12} {c.office}  {c.css:<40} dE00 {c.delta_e:4.1f}  {ink}{flag}")
    if "--check" in argv:
        if new != old:
            print(
                f"{PRESS.relative_to(ROOT)} is out of date: run `make press-colours`",
                file=sys.stderr,
            )
            return 1
        return 0
    if new != old:
        PRESS.write_text(new, encoding="utf-8")
        print(f"wrote the press palette into {PRESS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
