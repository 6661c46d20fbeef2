"""The front-desk catalog, the designer's preview, and the live-reloading server."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from brochure.cli import main
from brochure.paths import PROJECT_ROOT
from tests.conftest import LANGUAGES, OFFICE_FILES, edit
from tests.serving import event_stream, listen, spawn


class Page(HTMLParser):
    """Links, images (with alt text) and headings of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images: list[tuple[str, str | None]] = []
        self.headings: list[str] = []
        self.lang: str | None = None
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "a":
            self.links.append(attrs["href"])
        elif tag == "img":
            self.images.append((attrs["src"], attrs.get("alt")))
        elif tag in ("h1", "h2", "h3", "h4"):
            self.headings.append(tag)
        elif tag == "script":
            self.scripts += 1


@pytest.fixture(scope="module")
def catalog_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("catalog")
    assert main(["build", "--content", str(PROJECT_ROOT / "content.yml"), "--out", str(out)]) == 0
    return out


def test_catalog_lists_every_built_file_and_everything_resolves(catalog_build):
    page = Page()
    page.feed((catalog_build / "index.html").read_text(encoding="utf-8"))
    pdfs = {p.relative_to(catalog_build).as_posix() for p in catalog_build.glob("*/*.pdf")}
    assert len(pdfs) == OFFICE_FILES
    assert set(page.links) == pdfs
    for src, alt in page.images:
        assert (catalog_build / src).is_file(), src
        assert alt and "page" in alt
    thumbs = {src for src, _ in page.images}
    # One picture per page: as many as each PDF has (large print's count follows its words).
    assert len(thumbs) == sum(len(PdfReader(catalog_build / p).pages) for p in pdfs)
    assert any("faq-large-print-2.png" in src for src in thumbs)
    assert page.lang == "en" and page.headings[0] == "h1" and "h2" in page.headings
    assert page.scripts == 0  # works from the file system, no JavaScript


def test_catalog_says_how_to_print_and_flags_drafts(catalog_build):
    html = (catalog_build / "index.html").read_text(encoding="utf-8")
    assert "Two-sided, flip on SHORT edge" in html
    assert "Two-sided, flip on LONG edge" in html
    assert "100 % (Actual size)" in html
    assert "Avery 5371/8371" in html
    assert "Tabloid paper (11 x 17 in), or have it printed" in html
    for language in ("English", "Spanish (español)", "Brazilian Portuguese"):
        assert language in html
    drafts = len(LANGUAGES) - 1
    assert html.count("Draft translation: not yet reviewed") == drafts * 3  # x 3 groups
    assert "Worcester tri-fold" in html and "Somerville tri-fold" in html


def test_catalog_shows_each_handouts_reading_grade(catalog_build):
    html = (catalog_build / "index.html").read_text(encoding="utf-8")
    english = html.split('id="lang-en"')[1].split('id="lang-es"')[0]
    # Four handouts, and the two city tri-folds: every one green.
    assert english.count('class="grade grade--easy"') == 6
    assert "grade--hard" not in english
    assert re.search(
        r"grade [\d.]+: easy to read \(green: grade 8 or below; FK [\d.]+, SMOG", english
    )
    spanish = html.split('id="lang-es"')[1].split('id="lang-pt-BR"')[0]
    assert "INFLESZ" in spanish
    creole = html.split('id="lang-ht"')[1].split('id="lang-vi"')[0]
    assert creole.count("not measured in this language") == 6


def test_catalog_marks_a_hard_handout_amber(project, tmp_path):
    hard = (
        "Individual consideration of organizational responsibilities is necessary for "
        "comprehensive evaluation of the program. "
    )
    edit(project / "content.yml", "Flap text.", hard * 3)  # 39 words: enough to judge
    out = tmp_path / "out"
    assert main(["build", "--content", str(project / "content.yml"), "--out", str(out)]) == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    trifold = next(e for e in html.split('<li class="doc"') if "en/trifold.pdf" in e)
    assert 'class="grade grade--hard"' in trifold
    assert "needs simpler words (amber: above grade 8" in html


chromium = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    not chromium, reason="Chromium is not installed (make test installs it as root)"
)
def test_catalog_loads_in_headless_chromium(catalog_build, tmp_path):
    shot = tmp_path / "catalog.png"
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=412,2000",
            f"--screenshot={shot}",
            (catalog_build / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    image = Image.open(shot).convert("L")
    assert image.size == (412, 2000)
    low, high = image.getextrema()
    assert low < 80 and high > 200  # text on a light page, not a blank screenshot


def test_preview_draws_the_guides(tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(
            [
                "preview",
                "trifold",
                "--out",
                str(out),
                "--content",
                str(PROJECT_ROOT / "content.yml"),
            ]
        )
        == 0
    )
    paths = [Path(p) for p in capsys.readouterr().out.split()]
    assert [p.name for p in paths] == ["trifold-1.png", "trifold-2.png"]
    image = Image.open(paths[0]).convert("RGB")
    assert image.size == (11 * 110, round(8.5 * 110))
    fold_x = round(3.625 * 110)
    column = [image.getpixel((fold_x + dx, y)) for dx in (-1, 0, 1) for y in range(50, 900)]
    assert (200, 0, 160) in column  # fold line in magenta
    safe = round(0.25 * 110)
    row = [image.getpixel((x, safe)) for x in range(safe, image.width - safe)]
    assert (30, 160, 60) in row  # safe-area line in green


def test_preview_of_the_card_sheet_draws_cut_lines(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["preview", "wallet-card-sheet", "--edition", "es", "--out", str(out)]
    assert main([*args, "--content", str(PROJECT_ROOT / "content.yml")]) == 0
    first = Path(capsys.readouterr().out.split()[0])
    assert first == out / "preview" / "es" / "wallet-card-sheet-1.png"
    image = Image.open(first).convert("RGB")
    x = round(0.75 * 110)
    assert (0, 90, 220) in [image.getpixel((x, y)) for y in range(60, 1100)]


def test_preview_of_a_missing_edition_is_a_clear_error(tmp_path, capsys):
    args = ["preview", "faq", "--edition", "fr", "--out", str(tmp_path)]
    assert main([*args, "--content", str(PROJECT_ROOT / "content.yml")]) == 1
    assert "no edition 'fr' has a faq; choose from: en, es, pt-BR" in capsys.readouterr().err


# --- brochure serve --------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    """`brochure serve` on a free port, on a copy of the project; stopped afterwards."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECT_ROOT / "content.yml", project)
    shutil.copytree(PROJECT_ROOT / "translations", project / "translations")
    shutil.copytree(PROJECT_ROOT / "templates", project / "templates")
    out = tmp_path / "out"
    process, url = spawn(project / "content.yml", out)
    try:
        yield url, project, out, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_rebuilds_and_signals_a_reload(server):
    url, project, out, _ = server
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    assert "EventSource" in page and "Handouts to print" in page
    before = (out / "en" / "faq.pdf").stat().st_mtime_ns
    thread, events = listen(url)
    css = project / "templates" / "css" / "faq.css"
    css.write_text(css.read_text() + "\n.faq__intro { font-size: 13pt; }\n")
    thread.join(timeout=60)
    assert events and events[-1][0] == "reload", "".join(server[3].output)
    assert (out / "en" / "faq.pdf").stat().st_mtime_ns > before


def test_serve_shows_problems_and_keeps_running(server):
    url, project, _out, _ = server
    content = project / "content.yml"
    good = content.read_text(encoding="utf-8")
    thread, events = listen(url)
    content.write_text(
        good.replace('phone: "(978) 699-9786"', 'phone: "(978) 699"'), encoding="utf-8"
    )
    thread.join(timeout=60)
    assert events[-1][0] == "problem"
    assert "program.phone" in " ".join(data for _, data in events)
    assert urllib.request.urlopen(url, timeout=10).status == 200  # still serving
    thread, events = listen(url, until=("reload",))
    content.write_text(good, encoding="utf-8")
    thread.join(timeout=60)
    assert events[-1][0] == "reload"


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_serve_leaves_no_worker_processes_behind(server, stop):
    _url, _project, _out, process = server
    workers = children_of(process.pid)
    assert workers, "the server should have worker processes"
    process.send_signal(stop)
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not [pid for pid in workers if alive(pid)]


def test_serve_rebuilds_the_viewed_pdf_first_and_reloads_its_page_at_once(server):
    """A page showing en/trifold.pdf hears its reload before the catalog page does, once."""
    url, project, out, process = server
    viewer = urllib.request.urlopen(url + "__view?pdf=en/trifold.pdf", timeout=10).read()
    assert b'src="/en/trifold.pdf"' in viewer and b"EventSource" in viewer
    arrivals: dict[str, float] = {}

    def watch(name: str, query: str) -> list:
        events: list = []
        connected = threading.Event()

        def run() -> None:
            events.extend(event_stream(url + "__events" + query, 120, ("reload",), connected))
            arrivals[name] = time.monotonic()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        assert connected.wait(30)
        return [thread, events]

    viewing = watch("viewer", "?view=en%2Ftrifold.pdf")
    catalog = watch("catalog", "?view=")
    css = project / "templates" / "css" / "trifold.css"
    css.write_text(css.read_text() + "\n/* a designer's change */\n")
    for thread, _events in (viewing, catalog):
        thread.join(timeout=120)
    assert viewing[1] == [("reload", "")] and catalog[1] == [("reload", "")]
    assert arrivals["viewer"] < arrivals["catalog"]
    log = "".join(process.output)
    assert "rebuilt first (trifold.css)" in log and ": en/trifold" in log
    assert (out / "es-somerville" / "trifold.pdf").stat().st_mtime > css.stat().st_mtime
    # The first pass leaves thumbnails to the full pass, which must bring them up to date.
    pdf = out / "en" / "trifold.pdf"
    for number in (1, 2):
        thumb = out / "thumbs" / "en" / f"trifold-{number}.png"
        assert thumb.stat().st_mtime_ns >= pdf.stat().st_mtime_ns, number


def test_serve_sees_a_missing_picture_added_and_replaced(server):
    """A picture beside content.yml: missing (problem), added (reload, printed), replaced
    (reload, the new one printed). Warm workers must never keep the old one."""
    from tests.test_build_path import BLUE, RED, colour_at_top, picture, put_in_faq

    url, project, out, process = server
    thread, events = listen(url)
    # Floated: the longest draft FAQs have about 0.03 in to spare since the crisis box.
    put_in_faq(project, '<img src="../pictures/logo.png" style="width:0.4in; float:right">')
    thread.join(timeout=60)
    assert events[-1][0] == "problem" and "pictures/logo.png" in events[-1][1]
    for colour in (RED, BLUE):
        thread, events = listen(url, until=("reload",))
        picture(project / "pictures" / "logo.png", colour)
        thread.join(timeout=60)
        assert events and events[-1][0] == "reload", "".join(process.output)
        assert colour_at_top(out / "en" / "faq.pdf") == colour


def test_serve_watches_every_file_a_build_read(server):
    """A picture beside content.yml that was there from the start (never missing): replacing
    it must rebuild, because serve watches what the last builds recorded as read."""
    from tests.test_build_path import BLUE, RED, colour_at_top, picture, put_in_faq

    url, project, out, process = server
    picture(project / "pictures" / "logo.png", RED)
    thread, events = listen(url, until=("reload",))
    # Floated: the longest draft FAQs have about 0.03 in to spare since the crisis box.
    put_in_faq(project, '<img src="../pictures/logo.png" style="width:0.4in; float:right">')
    thread.join(timeout=60)
    assert events and events[-1][0] == "reload", "".join(process.output)
    assert colour_at_top(out / "en" / "faq.pdf") == RED
    thread, events = listen(url, until=("reload",))
    picture(project / "pictures" / "logo.png", BLUE)
    # A rebuild already under way for the first change may reload once more before the one
    # for the new picture (a full build of every language takes seconds): wait for the reload
    # that brings the blue picture, or a minute.
    deadline = time.monotonic() + 60
    while colour_at_top(out / "en" / "faq.pdf") != BLUE and time.monotonic() < deadline:
        thread.join(timeout=1)
        if not thread.is_alive():  # it saw a reload: listen for the next one
            thread, events = listen(url, until=("reload",))
    assert colour_at_top(out / "en" / "faq.pdf") == BLUE, "".join(process.output)
