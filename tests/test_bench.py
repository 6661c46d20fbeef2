"""`make bench` must run to the end: its quick mode prints every row (times are not asserted:
this machine is shared and noisy; the bench compares ratios within one run)."""

from __future__ import annotations

import re
import subprocess
import sys

from brochure.paths import PROJECT_ROOT

ROWS = [
    "cold full build (CLI, --force)",
    "no-op rebuild (CLI)",
    "one translation changed (CLI)",
    "words check, all editions (fresh process)",
    "words check, all editions (warm)",
    "render trifold (warm, median)",
    "render faq (warm, median)",
    "render wallet-card (warm, median)",
    "render wallet-card-sheet (warm, median)",
    "card sheet / single card",
    "floor: bare WeasyPrint, same HTML, 1 process",
    "full build / (floor / cores)",
    "full build / (fresh floor / cores)",
    "serve: save faq.css -> catalog reload",
    "serve: save trifold.css -> catalog reload",
    "serve: save trifold.css -> viewer reload",
    "serve: save trifold.css -> viewer reload (2 x editions)",
    "cards: one WeasyPrint document",
    "cards: fast (brochure cards)",
    "cards: one document / fast",
    "cards: peak memory, fast",
]


def test_quick_bench_prints_every_row():
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "bench.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    table = [re.split(r"\s{2,}", line.strip()) for line in result.stdout.splitlines()[2:]]
    names = [cells[0] for cells in table]
    for row in ROWS:
        assert row in names, row
    for cells in table:
        number = cells[1].split()[0]
        assert number.replace(".", "", 1).isdigit(), cells
