"""The `make bench` rows for `brochure cards`: N distinct workers' cards, made two ways in one
run, each in a fresh process whose peak memory is read when it ends.

- one document: every card laid out by WeasyPrint as one document (2 pages a card), the way
  the issue measured it (about 60 ms and 0.7 MiB a card);
- fast: `brochure cards` itself (brochure/cardtext.py): each worker's sheet file and the
  combined file, written to disk.

The roster is made up here: N distinct first names (a name and an initial, in both cities),
two spoken languages each, English cards (one WeasyPrint document has one page language, so
the baseline can only be fair with one card language), one card each.

Run as `bench_cards.py CHILD MODE ROSTER OUT` by bench.py (the child), or alone:
`bench_cards.py [N]` prints the rows.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMES = [
    "Ana",
    "Bea",
    "Carlos",
    "Nguyễn",
    "Đức",
    "Marisol",
    "Jean",
    "Sami",
    "Thảo",
    "João",
    "Fatima",
    "Rosa",
    "Minh",
    "Kofi",
    "Lucía",
    "Wen",
    "Priya",
    "Tomás",
    "Inês",
    "Yusuf",
    "Mei",
    "Dmitri",
    "Aisha",
    "Luca",
    "Noor",
    "Hùng",
    "Chidi",
    "Elena",
    "Pedro",
    "Zoë",
]
SPOKEN = ("es", "pt-BR", "ht", "vi", "ne", "sq", "ar", "en")


def write_roster(count: int, path: Path) -> None:
    """COUNT distinct workers, the same every run."""
    rnd = random.Random(16)
    rows = ["first_name,pronouns,city,languages,card_language,quantity"]
    seen = set()
    initials = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    while len(rows) <= count:
        name = f"{rnd.choice(NAMES)} {rnd.choice(initials)}."
        city = rnd.choice(("Worcester", "Somerville"))
        if (name, city) in seen:
            continue
        seen.add((name, city))
        pronouns = rnd.choice(("she/her", "he/him", "they/them", ""))
        spoken = " ".join(rnd.sample(SPOKEN, 2))
        rows.append(f"{name},{pronouns},{city},{spoken},en,1")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def child(mode: str, roster: Path, out: Path) -> None:
    """Make the cards one way; print what was made and how long it took (imports included)."""
    start = time.perf_counter()
    from brochure.cards import CARD, make_pipeline, read_roster, write_cards
    from brochure.options import BuildOptions

    options = BuildOptions.create(ROOT / "content.yml", out=out)
    if mode == "fast":
        files, _seconds = write_cards(options, roster)
        pages = sum(2 * f.sheets for f in files if f.workers == 1)
    else:
        from brochure.pipeline import template_context
        from brochure.render import render_html

        cards = read_roster(options, roster)
        pipeline = make_pipeline(options)
        edition = cards.editions["en"]
        context = template_context(edition, CARD, pipeline.settings.profile)
        htmls = [
            render_html(options.templates, CARD.template, context | {"worker": c.context()})
            for c in cards.cards
        ]
        head, _, _ = htmls[0].partition("<body")
        bodies = [
            html.partition("<body")[2].partition(">")[2].rpartition("</body>")[0] for html in htmls
        ]
        html = head + '<body class="card">' + "".join(bodies) + "</body></html>"
        document, report = pipeline.renderer.layout(html, options.templates, CARD.template)
        pdf = pipeline.renderer.write(document, report, None, "DuplexFlipLongEdge")
        out.mkdir(parents=True, exist_ok=True)
        (out / "one-document.pdf").write_bytes(pdf)
        pages = len(document.pages)
    print(json.dumps({"seconds": time.perf_counter() - start, "pages": pages}))


def measure(mode: str, roster: Path, out: Path) -> tuple[float, float, int]:
    """Run one way in a child process: (seconds, peak MiB, pages).

    The child is started by a small launcher process, not by the bench itself: a child forked
    from a large process (the bench has rendered every edition by now) starts out counting the
    parent's pages in its peak, and the figure would be the bench's, not the child's."""
    launcher = subprocess.run(
        [sys.executable, __file__, "LAUNCH", mode, str(roster), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if launcher.returncode != 0:
        raise SystemExit(f"bench_cards {mode} failed:\n{launcher.stderr[-3000:]}")
    result = json.loads(launcher.stdout.strip().splitlines()[-1])
    return result["seconds"], result["peak_mib"], result["pages"]


def launch(mode: str, roster: Path, out: Path) -> None:
    """Run the child and report its own peak resident memory, read when it ends: wait4 gives
    the rusage of that one child (what resource.getrusage(RUSAGE_CHILDREN) would report here,
    the launcher having no other child)."""
    process = subprocess.Popen(
        [sys.executable, __file__, "CHILD", mode, str(roster), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(stderr[-3000:])
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = json.loads(stdout.strip().splitlines()[-1])
    print(json.dumps(result | {"peak_mib": peak_kib / 1024}))


def rows(count: int) -> list[tuple[str, str, str]]:
    """The bench rows for COUNT distinct cards, both ways, side by side."""
    scratch = Path(tempfile.mkdtemp(prefix="brochure-bench-cards-"))
    roster = scratch / "roster.csv"
    write_roster(count, roster)
    fast_s, fast_mib, _pages = measure("fast", roster, scratch / "fast")
    one_s, one_mib, one_pages = measure("one-document", roster, scratch / "one")
    return [
        (
            "cards: one WeasyPrint document",
            f"{one_s:.2f} s",
            f"{count} distinct cards, {one_pages} pages; peak {one_mib:.0f} MiB; "
            f"{1000 * one_s / count:.0f} ms a card",
        ),
        (
            "cards: fast (brochure cards)",
            f"{fast_s:.2f} s",
            f"the same {count} cards: {count} sheet files + combined, written; "
            f"peak {fast_mib:.0f} MiB; {1000 * fast_s / count:.1f} ms a card",
        ),
        ("cards: one document / fast", f"{one_s / fast_s:.1f} x", "target: at least 8 x"),
        (
            "cards: peak memory, fast",
            f"{fast_mib:.0f} MiB",
            f"target: under 300 MiB (one document: {one_mib:.0f} MiB)",
        ),
    ]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "CHILD":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "LAUNCH":
        launch(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        number = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
        for name, value, note in rows(number):
            print(f"{name:<32}  {value:>9}  {note}")
