"""`make bench`: how fast the build is, as a table. Not a test: machines here are shared and
noisy, so the figures that matter are ratios measured in the same run.

Rows: cold full build, no-op rebuild, one-translation rebuild (all through the real command
line, in fresh processes); per-document render time in one warm process; the card sheet against
a single card; and the floor: the very same HTML rendered by bare WeasyPrint in one process.
"""

from __future__ import annotations

import os
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
    from brochure.build import Pipeline, Project, plan, template_context
    from brochure.documents import DOCUMENTS, Profile
    from brochure.editions import load_editions
    from brochure.impose import impose_cards
    from brochure.render import render_html

    cores = os.cpu_count() or 1
    rows: list[tuple[str, str, str]] = []
    scratch = Path(tempfile.mkdtemp(prefix="brochure-bench-"))
    shutil.copy(ROOT / "content.yml", scratch / "content.yml")
    shutil.copytree(ROOT / "translations", scratch / "translations")
    content = scratch / "content.yml"
    out = scratch / "build"

    # Through the command line, as `make` runs it.
    cold = best_of(3, lambda: cli("build", "--force", "--content", str(content), "--out", str(out)))
    files = len(list(out.rglob("*.pdf")))
    noop = best_of(5, lambda: cli("build", "--content", str(content), "--out", str(out)))
    spanish = scratch / "translations" / "es.yml"

    def one_translation() -> float:
        spanish.write_text(spanish.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        return cli("build", "--content", str(content), "--out", str(out))

    one = best_of(3, one_translation)

    # In one warm process: our pipeline per document, and bare WeasyPrint on the same HTML.
    editions = load_editions(content)
    profile = Profile("office")
    project = Project.for_content(content)
    pipeline = Pipeline(editions, project, profile)
    jobs = plan(editions, [], profile)
    pipeline.run(jobs[0])  # warm up fonts and caches
    per_document: dict[str, list[float]] = {}
    for job in jobs:
        pipeline._pdfs.clear()
        for output in pipeline.run(job):
            per_document.setdefault(output.spec.name, []).append(output.seconds)

    by_name = {edition.name: edition for edition in editions}
    htmls = [
        render_html(
            project.templates,
            DOCUMENTS[name].template,
            template_context(by_name[job.edition], profile),
        )
        for job in jobs
        for name in job.documents
        if DOCUMENTS[name].template
    ]
    weasyprint = pipeline.renderer.weasyprint
    font_config = pipeline.renderer.font_config
    base_url = str(project.templates) + "/"

    def bare() -> float:
        start = time.perf_counter()
        for html in htmls:
            weasyprint.HTML(string=html, base_url=base_url).write_pdf(font_config=font_config)
        return time.perf_counter() - start

    bare()  # warm
    floor = best_of(3, bare)
    floor_cold = best_of(3, lambda: bare_cold_process(htmls, base_url, scratch))

    card_spec = DOCUMENTS["wallet-card"]
    english = by_name["en"]

    def card_only() -> float:
        pipeline._pdfs.clear()
        start = time.perf_counter()
        pipeline.pdf(english, card_spec)
        return time.perf_counter() - start

    card = statistics.median(card_only() for _ in range(5))
    card_pdf = pipeline.pdf(english, card_spec)
    impose = statistics.median(_timed(lambda: impose_cards(card_pdf)) for _ in range(20))

    serve_faq, serve_trifold = serve_latency(scratch)

    ideal = floor / min(cores, len(jobs))
    rows += [
        ("cold full build (CLI, --force)", f"{cold:.2f} s", f"{files} files, {cores} cores"),
        ("no-op rebuild (CLI)", f"{noop:.3f} s", "target < 0.3 s; WeasyPrint not imported"),
        ("one translation changed (CLI)", f"{one:.2f} s", "rebuilds that language's 6 files"),
    ]
    for name, times in per_document.items():
        rows.append(
            (
                f"render {name} (warm, median)",
                f"{statistics.median(times):.3f} s",
                f"{len(times)} editions",
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
        ("floor / cores used", f"{ideal:.2f} s", f"{min(cores, len(jobs))} cores"),
        ("full build / (floor / cores)", f"{cold / ideal:.2f} x", "target <= 1.25 x"),
        (
            "floor in a fresh process (with import)",
            f"{floor_cold:.2f} s",
            "python start + import weasyprint + first render",
        ),
        (
            "full build / (fresh floor / cores)",
            f"{cold / (floor_cold / min(cores, len(jobs))):.2f} x",
            "same start-up on both sides",
        ),
        (
            "serve: save faq.css -> reload signal",
            f"{serve_faq:.2f} s",
            "3 FAQs rebuilt + thumbnails; target < 1 s",
        ),
        (
            "serve: save trifold.css -> reload signal",
            f"{serve_trifold:.2f} s",
            "9 tri-folds rebuilt + thumbnails",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>9}  notes")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 40}")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>9}  {note}")
    shutil.rmtree(scratch, ignore_errors=True)


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


def serve_latency(scratch: Path) -> tuple[float, float]:
    """Seconds from saving a stylesheet to the browser's reload signal, under `brochure serve`."""
    import threading

    from tests.serving import event_stream, spawn  # test helpers; ROOT is on sys.path

    shutil.copytree(ROOT / "templates", scratch / "templates", dirs_exist_ok=True)
    process, url = spawn(scratch / "content.yml", scratch / "serve-out")
    try:
        results = []
        for name in ("faq.css", "trifold.css"):
            times = []
            for attempt in range(3):
                events: list = []
                connected = threading.Event()
                listener = threading.Thread(
                    target=lambda found=events, ready=connected: found.extend(
                        event_stream(url + "__events", 60, ("reload",), ready)
                    )
                )
                listener.start()
                connected.wait(30)
                css = scratch / "templates" / "css" / name
                start = time.perf_counter()
                css.write_text(css.read_text() + f"\n/* bench {attempt} */\n")
                listener.join(timeout=60)
                times.append(time.perf_counter() - start)
            results.append(statistics.median(times))
        return results[0], results[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
