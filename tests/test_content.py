"""content.yml is loaded into typed objects, and mistakes name the file, line and field."""

from __future__ import annotations

import pytest

from brochure.content import load_content
from brochure.errors import BrochureError
from brochure.paths import PROJECT_ROOT


def errors_for(tmp_path, text: str) -> list[str]:
    path = tmp_path / "content.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BrochureError) as info:
        load_content(path)
    return info.value.lines


def line_of(text: str, needle: str) -> int:
    """1-based line where NEEDLE starts, so tests survive edits elsewhere in content.yml."""
    return text[: text.index(needle)].count("\n") + 1


def real_content_with(old: str, new: str) -> str:
    text = (PROJECT_ROOT / "content.yml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def test_real_content_loads(content):
    assert content.program.phone == "(978) 699-9786"
    assert set(content.cities) == {"worcester", "somerville"}
    assert len(content.faq.items) == 6


@pytest.mark.parametrize(
    ("spelling", "printed"),
    [("978-699-9786", "(978) 699-9786"), ("+1 978 699 9786", "(978) 699-9786")],
)
def test_phone_spellings_normalise(tmp_path, spelling, printed):
    path = tmp_path / "content.yml"
    path.write_text(real_content_with('phone: "(978) 699-9786"', f'phone: "{spelling}"'))
    assert load_content(path).program.phone == printed


def test_bad_phone_names_line_and_field(tmp_path):
    text = real_content_with('"(978) 699-9786"', '"(978) 699-978"')
    assert errors_for(tmp_path, text) == [
        f"content.yml:{line_of(text, 'phone:')}: program.phone: '(978) 699-978' has 9 digits; "
        "a US number has 10, like (978) 699-9786"
    ]


def test_missing_and_unknown_fields_reported_together(tmp_path):
    text = real_content_with("  short_name: IOP\n", "  shortname: IOP\n")
    lines = errors_for(tmp_path, text)
    assert lines == [
        f"content.yml:{line_of(text, 'program:')}: program.short_name: required but missing; "
        "add it",
        f"content.yml:{line_of(text, 'shortname')}: program.shortname: unknown key; "
        "did you mean 'short_name'?",
    ]


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    lines = errors_for(tmp_path, "program:\n  name: [unclosed\n")
    assert len(lines) == 1
    assert lines[0].startswith("content.yml:3:1: YAML syntax error:")


def test_duplicate_key_is_an_error(tmp_path):
    text = real_content_with("  region: Massachusetts\n", "  region: Massachusetts\n  region: MA\n")
    assert errors_for(tmp_path, text) == [
        f"content.yml:{line_of(text, 'region: MA')}: program.region: this key is given twice; "
        "keep one"
    ]


def test_block_needs_exactly_one_kind(tmp_path):
    text = real_content_with(
        "      - text: You don’t have to explain why you disappeared.\n",
        "      - text: You don’t have to explain why you disappeared.\n        quote: Hi\n",
    )
    (line,) = errors_for(tmp_path, text)
    where = line_of(text, "      - text: You don’t have to explain why")
    assert line.startswith(f"content.yml:{where}: trifold.flap.blocks.0: each block needs exactly")


LABEL = 'page_label: "Page {page} of {pages}"'
LABEL_EXAMPLE = "like 'Page {page} of {pages}'"


@pytest.mark.parametrize(
    ("label", "message"),
    [
        (
            "Page {page} of {total}",
            "has {total}, which is not one of its slots ({page}, {pages}); write only those, "
            + LABEL_EXAMPLE,
        ),
        (
            "Page {page}",
            f"must contain {{pages}} once, {LABEL_EXAMPLE}: the printed page number and the "
            "number of pages go there",
        ),
        (
            "Page 1 of {pages}",
            "has a number typed in; write {page} and {pages} where the numbers go",
        ),
    ],
)
def test_a_wrong_page_label_is_named(tmp_path, label, message):
    """The large print's page label is checked by the same slot check as program.place."""
    text = real_content_with(LABEL, f'page_label: "{label}"')
    assert errors_for(tmp_path, text) == [
        f"content.yml:{line_of(text, 'page_label:')}: faq.page_label: {message}"
    ]
