"""`make bench`: how fast the build is, as a table. Not a test: machines here are shared and
noisy, so the figures that matter are ratios measured in the same run. `--quick` measures each
row once (warm renders on English only), so a test can check that every row still runs.

Rows: cold full build, no-op rebuild, one-translation rebuild (all through the real command
line, in fresh processes); the words check of every edition (target < 0.2 s: it is text, not
layout), in a fresh process and warm; per-document render time in one warm process; the card
sheet against a single card; and the floor: the very same HTML rendered by bare WeasyPrint in
one process. Last, `brochure cards` on 1,000 distinct workers against the same cards as one
WeasyPrint document (scripts/bench_cards.py), with each one's peak memory.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cli(*args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "brochure", *args], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"brochure {' '.join(args)} failed:\n{result.stderr}")
    return time.perf_counter() - start


def best_of(runs: int, measure) -> float:
    return min(measure() for _ in range(runs))


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    runs = 1 if quick else 3
    from brochure.build import check
    from brochure.documents import DOCUMENTS, OFFICE
    from brochure.impose import impose_cards
    from brochure.options import BuildOptions
    from brochure.pipeline import Pipeline, Settings, template_context
    from brochure.render import render_html

    cores = os.cpu_count() or 1
    rows: list[tuple[str, str, str]] = []
    scratch = Path(tempfile.mkdtemp(prefix="brochure-bench-"))
    shutil.copy(ROOT / "content.yml", scratch / "content.yml")
    shutil.copytree(ROOT / "translations", scratch / "translations")
    content = scratch / "content.yml"
    out = scratch / "build"

    # Through the command line, as `make` runs it.
    cold = best_of(
        runs, lambda: cli("build", "--force", "--content", str(content), "--out", str(out))
    )
    files = len(list(out.rglob("*.pdf")))
    noop = best_of(runs + 2, lambda: cli("build", "--content", str(content), "--out", str(out)))
    spanish = scratch / "translations" / "es.yml"

    def one_translation() -> float:
        spanish.write_text(spanish.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        return cli("build", "--content", str(content), "--out", str(out))

    one = best_of(runs, one_translation)
    words_cold = best_of(runs, lambda: words_in_fresh_process(content))
    words_warm = words_check_warm(content, runs + 2)

    # In one warm process: our pipeline per document, and bare WeasyPrint on the same HTML.
    options = BuildOptions.create(content, out=out, workers=1)
    editions, _ = check(options.but(only=frozenset()))
    pipeline = Pipeline(Settings(options.templates, options.project_dir, OFFICE, "bench"))
    chosen = editions[:1] if quick else editions
    pairs = [(e, DOCUMENTS[n]) for e in chosen for n in DOCUMENTS if e.makes(n)]
    pipeline.make(*pairs[0], {})  # warm up fonts and caches
    per_document: dict[str, list[float]] = {}
    per_language: dict[str, float] = {}
    for edition, spec in pairs:
        seconds = pipeline.make(edition, spec, {}).seconds
        per_document.setdefault(spec.name, []).append(seconds)
        per_language[edition.language] = per_language.get(edition.language, 0.0) + seconds
    languages = sorted({edition.language for edition in editions})

    htmls = [
        render_html(options.templates, spec.template, template_context(edition, spec, OFFICE))
        for edition, spec in pairs
        if spec.template
    ]
    weasyprint = pipeline.renderer.weasyprint
    font_config = pipeline.renderer.font_config
    base_url = str(options.templates) + "/"

    def bare() -> float:
        start = time.perf_counter()
        for html in htmls:
            weasyprint.HTML(string=html, base_url=base_url).write_pdf(font_config=font_config)
        return time.perf_counter() - start

    bare()  # warm
    floor = best_of(runs, bare)
    floor_cold = best_of(runs, lambda: bare_cold_process(htmls, base_url, scratch))

    english = editions[0]
    card_seconds = [
        pipeline.make(english, DOCUMENTS["wallet-card"], {}).seconds for _ in range(runs + 2)
    ]
    card = statistics.median(card_seconds)
    card_pdf = pipeline.make(english, DOCUMENTS["wallet-card"], {}).pdf
    impose = statistics.median(_timed(lambda: impose_cards(card_pdf)) for _ in range(runs * 5))

    trifold_warm = statistics.median(per_document["trifold"])
    serve_rows = serve_latency(scratch, runs, trifold_warm)

    ideal = floor / min(cores, len(htmls))
    rows += [
        ("cold full build (CLI, --force)", f"{cold:.2f} s", f"{files} files, {cores} cores"),
        ("no-op rebuild (CLI)", f"{noop:.3f} s", "target < 0.3 s; WeasyPrint not imported"),
        (
            "one translation changed (CLI)",
            f"{one:.2f} s",
            "its 6 files, and every other FAQ (their language list reads it)",
        ),
        (
            "words check, all editions (fresh process)",
            f"{words_cold:.3f} s",
            "target < 0.2 s; reading level, stigma, abbreviations; dictionaries read",
        ),
        ("words check, all editions (warm)", f"{words_warm:.3f} s", "as `brochure serve` runs it"),
        (
            "cold full build per edition",
            f"{cold / len(editions):.2f} s",
            f"{len(editions)} editions ({len(languages)} languages with their city tri-folds)",
        ),
    ]
    for language, seconds in sorted(per_language.items(), key=lambda item: -item[1]):
        rows.append(
            (f"render {language}'s documents (warm)", f"{seconds:.2f} s", "one process, summed")
        )
    for name, times in per_document.items():
        rows.append(
            (
                f"render {name} (warm, median)",
                f"{statistics.median(times):.3f} s",
                f"{len(times)} editions; checks and thumbnails included"
                + (" (quick: English only)" if quick else ""),
            )
        )
    rows += [
        (
            "card sheet / single card",
            f"{(card + impose) / card:.2f} x",
            f"card {card:.3f} s + imposing {impose * 1000:.1f} ms; target <= 1.5 x",
        ),
        (
            "floor: bare WeasyPrint, same HTML, 1 process",
            f"{floor:.2f} s",
            f"{len(htmls)} documents",
        ),
        ("floor / cores used", f"{ideal:.2f} s", f"{min(cores, len(htmls))} cores"),
        ("full build / (floor / cores)", f"{cold / ideal:.2f} x", "target <= 1.25 x"),
        (
            "floor in a fresh process (with import)",
            f"{floor_cold:.2f} s",
            "python start + import weasyprint + first render",
        ),
        (
            "full build / (fresh floor / cores)",
            f"{cold / (floor_cold / min(cores, len(htmls))):.2f} x",
            "same start-up on both sides",
        ),
        *serve_rows,
        # brochure cards: 1,000 distinct workers' cards, both ways (20 with --quick).
        *cards_rows(20 if quick else 1000),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>9}  notes")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 40}")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>9}  {note}")
    shutil.rmtree(scratch, ignore_errors=True)


def cards_rows(count: int) -> list[tuple[str, str, str]]:
    """scripts/bench_cards.py: the roster's cards laid out as one WeasyPrint document against
    `brochure cards`, each in a fresh process, with peak memory."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_cards import rows

    return rows(count)


WORDS_TIMING = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from brochure.editions import load_editions\n"
    "editions = load_editions(Path(sys.argv[1]))\n"
    "start = time.perf_counter()\n"
    "from brochure.words import check_words\n"
    "check_words(editions)\n"
    "print(time.perf_counter() - start)\n"
)


def words_in_fresh_process(content: Path) -> float:
    """The words check of every edition in a new interpreter: importing it and reading the
    syllable dictionaries included; loading the content (done by every build anyway) not."""
    result = subprocess.run(
        [sys.executable, "-c", WORDS_TIMING, str(content)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.split()[-1])


def words_check_warm(content: Path, runs: int) -> float:
    from brochure.editions import load_editions
    from brochure.words import check_words

    editions = load_editions(content)
    check_words(editions)
    return best_of(runs, lambda: _timed(lambda: check_words(editions)))


def bare_cold_process(htmls: list[str], base_url: str, scratch: Path) -> float:
    """The floor again, in a new interpreter that must import WeasyPrint first, as a build does."""
    folder = scratch / "html"
    folder.mkdir(exist_ok=True)
    for index, html in enumerate(htmls):
        (folder / f"{index:03}.html").write_text(html, encoding="utf-8")
    code = (
        "import sys, pathlib\n"
        "from brochure.fonts import use_packaged_fonts_only\n"
        "use_packaged_fonts_only()\n"
        "import weasyprint\n"
        "from weasyprint.text.fonts import FontConfiguration\n"
        "fonts = FontConfiguration()\n"
        "for path in sorted(pathlib.Path(sys.argv[1]).glob('*.html')):\n"
        "    weasyprint.HTML(string=path.read_text(), base_url=sys.argv[2])"
        ".write_pdf(font_config=fonts)\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(folder), base_url], check=True)
    return time.perf_counter() - start


def serve_latency(scratch: Path, runs: int, trifold_warm: float) -> list[tuple[str, str, str]]:
    """Seconds from saving a stylesheet to a page's reload signal, under `brochure serve`: the
    catalog page (every document rebuilt first) and a live viewer of en/trifold.pdf (rebuilt
    first), with today's editions and with twice as many. The viewer row is compared
    with the bench's warm render and with the render of that very rebuild (the server prints
    it), which takes this machine's noise out of the overhead."""
    shutil.copytree(ROOT / "templates", scratch / "templates", dirs_exist_ok=True)
    rows = []
    plain = _serve_times(scratch / "content.yml", scratch, runs)
    many = _serve_times(_double_editions(scratch), scratch, runs)
    for label, times in (("", plain), (" (2 x editions)", many)):
        faq, trifold, viewed, same_render, files = times
        rows += [
            (f"serve: save faq.css -> catalog reload{label}", f"{faq:.2f} s", f"{files} files"),
            (
                f"serve: save trifold.css -> catalog reload{label}",
                f"{trifold:.2f} s",
                "every tri-fold",
            ),
            (
                f"serve: save trifold.css -> viewer reload{label}",
                f"{viewed:.2f} s",
                f"{viewed / trifold_warm:.2f} x the warm tri-fold above; "
                f"{viewed / same_render:.2f} x that rebuild's own render; target <= 1.3 x",
            ),
        ]
    return rows


def _double_editions(scratch: Path) -> Path:
    """A content file with twice as many languages (copies of the Spanish file, under codes of
    languages we do not print, so they never clash with a real translation)."""
    folder = scratch / "double"
    shutil.copytree(scratch / "translations", folder / "translations", dirs_exist_ok=True)
    shutil.copytree(scratch / "templates", folder / "templates", dirs_exist_ok=True)
    # Without the "we speak your language" list: twenty languages' lines do not fit one FAQ
    # page (nine do), and this measures how the build grows, not that list.
    for path in folder.glob("translations/*.yml"):
        path.write_text(_without_speak(path.read_text(encoding="utf-8")), encoding="utf-8")
    text = _without_speak((scratch / "content.yml").read_text(encoding="utf-8"))
    extra = ["tw", "fr", "it", "de", "pl", "ro", "so", "sw", "tl", "nl"]
    spanish = (folder / "translations" / "es.yml").read_text(encoding="utf-8")
    for code in extra:
        copy = spanish.replace("language: es", f"language: {code}")
        (folder / "translations" / f"{code}.yml").write_text(copy, encoding="utf-8")
    lines = "".join(f"  {code}: translations/{code}.yml\n" for code in extra)
    text = text.replace("translations:\n", "translations:\n" + lines, 1)
    (folder / "content.yml").write_text(text, encoding="utf-8")
    return folder / "content.yml"


def _without_speak(text: str) -> str:
    """The file without its `speak:` section (the last one in our files)."""
    return re.split(r"(?m)^speak:\n", text)[0]


def _serve_times(content: Path, scratch: Path, runs: int) -> tuple:
    import threading

    from tests.serving import event_stream, spawn  # test helpers; ROOT is on sys.path

    out = content.parent / "serve-out"
    process, url = spawn(content, out)
    templates = content.parent / "templates"
    try:
        files = len(list(out.rglob("*.pdf")))

        def save_and_wait(name: str, view: str) -> float:
            """Seconds until the page showing VIEW hears its reload; returns once every page
            (the catalog too) has, so the next save starts from a quiet server."""
            arrived: dict[str, float] = {}
            threads = []
            for who in dict.fromkeys([view, ""]):
                connected = threading.Event()

                def listen(who: str = who, connected: threading.Event = connected) -> None:
                    event_stream(url + f"__events?view={who}", 120, ("reload",), connected)
                    arrived[who] = time.perf_counter()

                thread = threading.Thread(target=listen)
                thread.start()
                connected.wait(30)
                threads.append(thread)
            css = templates / "css" / name
            start = time.perf_counter()
            css.write_text(css.read_text() + f"\n/* bench {time.time()} */\n")
            for thread in threads:
                thread.join(timeout=120)
            return arrived[view] - start

        faq = statistics.median(save_and_wait("faq.css", "") for _ in range(runs))
        trifold = statistics.median(save_and_wait("trifold.css", "") for _ in range(runs))
        viewed, same = [], []
        for _ in range(runs):
            viewed.append(save_and_wait("trifold.css", "en%2Ftrifold.pdf"))
            said = [line for line in process.output if "rebuilt first" in line][-1]
            same.append(viewed[-1] / float(said.rsplit("(render ", 1)[1].split()[0]))
        ratio = statistics.median(same)
        median = statistics.median(viewed)
        return faq, trifold, median, median / ratio, files
    finally:
        process.terminate()
        process.wait(timeout=10)


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
