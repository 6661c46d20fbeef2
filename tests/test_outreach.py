"""The outreach documents (tear-off flyer, poster, FAQ in large print), read back from the
real PDFs of every edition with readers that are not brochure's own: pypdfium2 for text and
type sizes, pikepdf for links, zxing-cpp for the QR code, poppler for the words; and the
declaration every document is made from (brochure/documents.py), broken on purpose."""

from __future__ import annotations

import ctypes
import math

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import zxingcpp

from brochure import fonts
from brochure.errors import BrochureError
from tests.conftest import LANGUAGES, build_into, edit
from tests.pdfread import poppler_text, render

IN = 72
PHONE = "(978) 699-9786"
TEL = "tel:+19786999786"
TABS = 8  # 1 in each across the 8 in an office printer reaches (0.9-1.1 in is a thumb)
#: Scripts poppler gives back word for word (Arabic comes back in drawing order; Devanagari
#: glyphs alone do not give the words back: tests/test_languages.py reads those).
READ_BACK = ("en", "es", "pt-BR", "ht", "vi", "sq", "zh-Hant", "zh-Hans")


def _files(built_all, document: str) -> dict[str, object]:
    return {b.edition: b.path for b in built_all if b.document == document}


def _links(path, page: int = 0) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every link on a page: its URI and its rectangle (left, bottom, right, top) in points."""
    with pikepdf.open(path) as pdf:
        found = []
        for annotation in pdf.pages[page].obj.get("/Annots", []):
            x1, y1, x2, y2 = (float(v) for v in annotation.Rect)
            rect = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
            found.append((str(annotation.A.URI), rect))
        return found


def _number_sizes(path, page: int = 0) -> list[tuple[float, tuple[float, ...]]]:
    """Each printing of the number on a page: its type size in points and its box. The size is
    pdfium's, taken through the page's drawing scale (WeasyPrint draws CSS pixels at 0.75)."""
    pdf = pdfium.PdfDocument(path)
    try:
        textpage = pdf[page].get_textpage()
        searcher = textpage.search("699-9786", match_case=True)
        found = []
        while (hit := searcher.get_next()) is not None:
            first, count = hit
            boxes = [textpage.get_charbox(i) for i in range(first, first + count)]
            box = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            found.append((pdfium_raw.FPDFText_GetFontSize(textpage, first) * 0.75, box))
        return found
    finally:
        pdf.close()


# --- the tear-off flyer --------------------------------------------------------------------


@pytest.mark.parametrize("edition", LANGUAGES)
def test_every_tab_is_a_link_that_dials_the_number(built_all, edition):
    """8 tabs, each a tel: link inside its own 1 in column, ending 1/4 in above the bottom
    edge; plus the number at the top: 9 links that dial the program (the crisis lines' links
    are above the tabs: tests/test_crisis.py)."""
    path = _files(built_all, "tear-off-flyer")[edition]
    links = _links(path)
    in_tabs = [(uri, rect) for uri, rect in links if rect[3] < 3.2 * IN]
    assert {uri for uri, _ in in_tabs} == {TEL}
    tabs = sorted((rect for _, rect in in_tabs), key=lambda r: r[0])
    assert len(tabs) == TABS, tabs
    assert sum(1 for uri, _ in links if uri == TEL) == TABS + 1
    for index, (left, bottom, right, top) in enumerate(tabs):
        column = (0.25 * IN + index * IN, 0.25 * IN + (index + 1) * IN)
        assert column[0] <= left and right <= column[1], (index, left, right)
        assert bottom >= 0.25 * IN - 0.5 and top <= (0.25 + 2.75) * IN + 0.5, (bottom, top)


@pytest.mark.parametrize("edition", LANGUAGES)
def test_every_tab_carries_the_number_sideways_in_11_pt_or_more(built_all, edition):
    path = _files(built_all, "tear-off-flyer")[edition]
    found = _number_sizes(path)
    tabs = [(size, box) for size, box in found if box[3] < 3.2 * IN]
    assert len(tabs) == TABS
    columns = set()
    for size, (left, bottom, right, top) in tabs:
        assert size >= 11, size
        assert top - bottom > 2 * (right - left), "the number is not printed sideways"
        columns.add(int((left - 0.25 * IN) // IN))
    assert columns == set(range(TABS))


def test_tab_text_reads_back_whole_in_each_tab(built_all):
    """poppler reads the short name and the whole number inside each tab's own column."""
    path = _files(built_all, "tear-off-flyer")["en"]
    for index in range(TABS):
        left = 0.25 * IN + index * IN
        text = poppler_text(path, 0, (left + 2, 11 * IN - 3 * IN, IN - 4, 2.75 * IN))
        assert text.count(PHONE) == 1 and text.count("IOP") == 1, (index, text)


def _dark_columns(image, top: int, bottom: int) -> list[int]:
    """x of every pixel column with ink on at least 40 % of the rows TOP..BOTTOM (a dashed
    line is about half ink), a line drawn across two columns counting in both."""
    grey = image.convert("L")
    columns = []
    for x in range(1, grey.width - 1):
        strips = [grey.crop((x + d, top, x + d + 1, bottom)).tobytes() for d in (-1, 0, 1)]
        dark = sum(1 for row in zip(*strips, strict=True) if min(row) < 200)
        if dark >= (bottom - top) * 0.4:
            columns.append(x)
    return columns


def test_cut_lines_fall_between_the_tabs_and_stop_above_the_edge(built_all, built_press):
    """Drawn, not declared: at 100 dpi, dashed lines at 0.25 in + every inch across the tab
    row; in the office file none in the 1/4 in the printer cannot reach; in the press file they
    run on to the edge."""
    dpi = 100
    image = render(_files(built_all, "tear-off-flyer")["en"], 0, dpi)
    tab_top, tab_bottom = round((11 - 3) * dpi), round((11 - 0.25) * dpi)
    # The top 0.55 in of the tabs: below the line above them, above their sideways text.
    columns = _dark_columns(image, tab_top + 5, tab_top + round(0.55 * dpi))
    wanted = [round((0.25 + k) * dpi) for k in range(TABS + 1)]
    groups = sorted({min(wanted, key=lambda w: abs(w - x)) for x in columns})
    assert groups == wanted
    assert all(min(abs(x - w) for w in wanted) <= 2 for x in columns), columns
    assert not _dark_columns(image, tab_bottom + 3, 11 * dpi - 1)
    # The line above the tabs: a dashed row across them.
    row = image.convert("L").crop((wanted[0], tab_top - 2, wanted[-1], tab_top + 3))
    assert sum(1 for v in row.tobytes() if v < 128) > (wanted[-1] - wanted[0]) / 3
    press = render(built_press["tear-off-flyer"], 0, dpi)
    bleed = round(0.125 * dpi)
    edge = _dark_columns(press, bleed + tab_bottom + 3, bleed + 11 * dpi - 2)
    assert sorted({min(wanted, key=lambda w: abs(w + bleed - x)) for x in edge}) == wanted


# --- the poster ----------------------------------------------------------------------------


@pytest.mark.parametrize("edition", LANGUAGES)
def test_poster_number_is_at_least_72_pt_and_dials(built_all, edition):
    path = _files(built_all, "poster")[edition]
    with pikepdf.open(path) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    assert box == [0, 0, 11 * IN, 17 * IN]
    sizes = [size for size, _ in _number_sizes(path)]
    assert max(sizes) >= 72, sizes
    assert TEL in {uri for uri, _ in _links(path)}


@pytest.mark.parametrize("edition", ["en", "ar", "zh-Hant"])
def test_poster_qr_code_dials_the_number(built_all, edition):
    image = render(_files(built_all, "poster")[edition], 0, dpi=100)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [TEL]


def test_a_draft_poster_lists_every_other_language(built_all, editions_by_name):
    """The Spanish draft lists the nine other languages' lines, each with the number."""
    path = _files(built_all, "poster")["es"]
    text = poppler_text(path)
    others = [e for name, e in editions_by_name.items() if name in LANGUAGES and name != "es"]
    for edition in others:
        if edition.language in READ_BACK:
            before, _after = edition.content.speak.around_number
            assert before.strip() in text, edition.language
    assert text.count(PHONE) >= len(LANGUAGES)


# --- the FAQ in large print ----------------------------------------------------------------


@pytest.fixture(scope="module")
def editions_by_name():
    from brochure.editions import load_editions
    from tests.conftest import CONTENT

    return {edition.name: edition for edition in load_editions(CONTENT)}


@pytest.mark.parametrize("edition", LANGUAGES)
def test_large_print_pages_and_duplex(built_all, edition):
    path = _files(built_all, "faq-large-print")[edition]
    with pikepdf.open(path) as pdf:
        assert 1 <= len(pdf.pages) <= 4
        assert pdf.Root.ViewerPreferences.Duplex == pikepdf.Name.DuplexFlipLongEdge
        for page in pdf.pages:
            assert [float(v) for v in page.mediabox] == [0, 0, 8.5 * IN, 11 * IN]


def _char_sizes(path) -> list[float]:
    """The type size of every character that is a letter, page by page, in points, read by
    x-height: a script's font is drawn smaller by its factor to look the size the stylesheet
    names (fonts.size_adjust), so its size is divided by the factor."""
    pdf = pdfium.PdfDocument(path)
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    try:
        sizes = []
        for page in pdf:
            textpage = page.get_textpage()
            for index in range(textpage.count_chars()):
                if textpage.get_text_range(index, 1).isalpha():
                    pdfium_raw.FPDFText_GetFontInfo(textpage, index, name, 256, flags)
                    factor = fonts.size_adjust_of(name.value.decode("latin-1"))
                    size = pdfium_raw.FPDFText_GetFontSize(textpage, index) * 0.75 / factor
                    sizes.append(round(size, 2))
        return sizes
    finally:
        pdf.close()


@pytest.mark.parametrize("edition", LANGUAGES)
def test_large_print_type_is_never_under_16_pt_and_mostly_18(built_all, edition):
    """ACB: body 18 pt. Every letter is 16 pt or more (the page numbers are 16 pt); the body,
    the most common size, is at least 18 pt. (The draft band is the staff's, not the reader's:
    drafts are not handed out.)"""
    sizes = _char_sizes(_files(built_all, "faq-large-print")[edition])
    reader_sizes = [s for s in sizes if s > 10]  # the draft band: 9.5 pt, in drafts only
    body = max(set(reader_sizes), key=lambda s: sum(1 for x in reader_sizes if x == s))
    assert body >= 18, body
    assert min(reader_sizes) >= 16 - 0.01, min(reader_sizes)


@pytest.mark.parametrize("edition", READ_BACK)
def test_large_print_never_splits_a_question_from_its_answer(built_all, editions_by_name, edition):
    path = _files(built_all, "faq-large-print")[edition]
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
    squeeze = edition.startswith("zh")

    def flat(text: str) -> str:
        return "".join(text.split()) if squeeze else " ".join(text.replace("\u00a0", " ").split())

    texts = [flat(poppler_text(path, page)) for page in range(pages)]
    faq = editions_by_name[edition].content.faq
    for item in faq.items:
        question, answer = flat(item.question), flat(item.answer)
        on = [i for i, text in enumerate(texts) if question in text]
        assert len(on) == 1, (item.question, on)
        assert answer in texts[on[0]], item.question


def test_large_print_says_page_n_of_m_on_every_page(built_all):
    path = _files(built_all, "faq-large-print")["en"]
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
    assert pages >= 2  # the English takes two pages today: a one-page FAQ would test nothing
    for page in range(pages):
        assert f"Page {page + 1} of {pages}" in poppler_text(path, page)


# --- the declaration, broken on purpose ----------------------------------------------------


def _build_error(project, *documents) -> str:
    with pytest.raises(BrochureError) as caught:
        build_into(project / "build", project / "content.yml", documents=list(documents))
    return "\n".join(caught.value.lines)


def test_a_template_that_shows_content_its_spec_does_not_read_stops(project):
    edit(
        project / "templates" / "poster.html.j2",
        '<main class="poster__main">',
        '<main class="poster__main">{{ content.faq.title }}',
    )
    message = _build_error(project, "poster")
    assert "templates/poster.html.j2:" in message
    assert "the poster shows content.faq, which its spec does not read" in message
    assert "add 'faq' to the reads of poster in brochure/documents.py" in message


def test_a_part_of_a_part_not_declared_is_refused_too(project):
    """The flyer reads trifold.cover and trifold.back.how_to_reach, not the flap."""
    edit(
        project / "templates" / "tear-off-flyer.html.j2",
        '<h1 class="flyer__headline">',
        '<h1 class="flyer__headline">{{ content.trifold.flap.heading }}',
    )
    message = _build_error(project, "tear-off-flyer")
    assert "the tear-off-flyer shows content.trifold.flap" in message


def test_the_edition_is_no_way_around_the_declaration(project):
    edit(
        project / "templates" / "poster.html.j2",
        '<main class="poster__main">',
        '<main class="poster__main">{{ edition.content.faq.title }}',
    )
    message = _build_error(project, "poster")
    assert "templates/poster.html.j2:" in message and "not allowed in a template" in message


def test_a_number_too_wide_for_its_tab_stops_the_build(project):
    """The fit check sees a line wider than its box: a tab whose number would be cut."""
    edit(
        project / "templates" / "css" / "tear-off-flyer.css",
        ".flyer__tab-phone { font-size: 15pt;",
        ".flyer__tab-phone { font-size: 30pt;",
    )
    message = _build_error(project, "tear-off-flyer")
    assert "tear-off-flyer: a line in the tab 1 is" in message
    assert "in wider than the box" in message


def test_a_question_split_across_pages_stops_the_build(project):
    """An answer longer than a page cannot stay with its question: the build says which."""
    content = project / "content.yml"
    text = content.read_text(encoding="utf-8")
    marker = "answer: "
    at = text.index(marker, text.index("faq:")) + len(marker)
    end = text.index("\n", at)
    long = " ".join(["You can come back when you are ready, and we will be glad."] * 20)
    content.write_text(text[:at] + long + text[end:], encoding="utf-8")
    edit(
        project / "templates" / "css" / "faq-large-print.css",
        ".faq-large__item p { margin: 0; }",
        ".faq-large__item p { margin: 0; font-size: 36pt; }",
    )
    message = _build_error(project, "faq-large-print")
    assert "faq-large-print: question 1 and its answer is split across pages" in message


def test_a_large_print_faq_of_more_than_four_pages_stops_the_build(project):
    edit(
        project / "templates" / "css" / "faq-large-print.css",
        ".faq-large__item { margin-bottom: 0.7em;",
        ".faq-large__header { break-after: page; }\n"
        ".faq-large__footer { break-before: page; }\n"
        ".faq-large__item { break-before: page; margin-bottom: 0.7em;",
    )
    message = _build_error(project, "faq-large-print")
    assert "faq-large-print: laid out on" in message and "must have 1 to 4" in message


def test_only_the_documents_that_read_cities_get_a_city_copy(tmp_path):
    from brochure.documents import DOCUMENTS
    from brochure.plan import CITY_DOCUMENTS

    assert CITY_DOCUMENTS == ("trifold",)
    assert [name for name, spec in DOCUMENTS.items() if "cities" in spec.reads] == ["trifold"]


def test_the_translators_note_names_every_document_a_string_is_printed_on():
    from brochure.strings import note_for

    cover = note_for(("trifold", "cover", "headline"))
    assert "Tri-fold brochure (roll fold)" in cover
    assert "Tear-off flyer" in cover and "Poster (Tabloid, 11 x 17 in)" in cover
    flap = note_for(("trifold", "flap", "heading"))
    assert "Poster" not in flap and "Tear-off" not in flap
    assert "FAQ in large print" in note_for(("faq", "items", 0, "answer"))


def test_bleed_and_sizes_of_press_files(built_press):
    """The press files have the 1/8 in bleed around their trim, like the others."""
    for name, (width, height) in {
        "tear-off-flyer": (8.5, 11),
        "poster": (11, 17),
        "faq-large-print": (8.5, 11),
    }.items():
        with pikepdf.open(built_press[name]) as pdf:
            for page in pdf.pages:
                trim = [float(v) for v in page.obj.TrimBox]
                media = [float(v) for v in page.mediabox]
                assert math.isclose(trim[2] - trim[0], width * IN, abs_tol=0.5)
                assert math.isclose(trim[3] - trim[1], height * IN, abs_tol=0.5)
                assert math.isclose(media[2] - media[0], (width + 0.25) * IN, abs_tol=0.5)


@pytest.mark.parametrize("edition", ["en", "es"])
def test_every_document_shows_every_part_it_declares(editions_by_name, edition):
    """The other half of the declaration: a part a spec reads but its template never shows
    would name the wrong handouts in the translator's notes and make city copies for
    nothing. Rendered through the same view the build uses, which notes what it handed out."""
    from brochure.documents import DOCUMENTS, OFFICE
    from brochure.paths import PROJECT_ROOT
    from brochure.pipeline import template_context
    from brochure.render import parts_shown, render_html

    checked = 0
    for spec in DOCUMENTS.values():
        if not spec.template:
            continue
        context = template_context(editions_by_name[edition], spec, OFFICE)
        render_html(PROJECT_ROOT / "templates", spec.template, context)
        shown = parts_shown(context["content"])
        unused = [
            read
            for read in spec.reads
            if read != "cities" and not any(s == read or s.startswith(f"{read}.") for s in shown)
        ]
        assert not unused, (spec.name, unused, sorted(shown))
        checked += 1
    assert checked == 6
