"""`brochure serve` under misuse: bad options, odd URLs, clients that leave, crowds, slow
clients, and builds that fail in ways nobody planned for. The server must answer each with a
plain sentence or a proper HTTP status, never a traceback, and keep serving."""

from __future__ import annotations

import importlib
import subprocess
import sys

import brochure.serve
from brochure.paths import PROJECT_ROOT

# --- test helpers live with the tests --------------------------------------------------------


def test_the_product_carries_no_test_helpers():
    assert not hasattr(brochure.serve, "spawn")
    assert not hasattr(brochure.serve, "event_stream")
    serving = importlib.import_module("tests.serving")
    assert callable(serving.spawn) and callable(serving.event_stream)


def test_the_benchmark_takes_the_helpers_from_the_tests(tmp_path):
    bench = PROJECT_ROOT / "scripts" / "bench.py"
    assert "from tests.serving import event_stream, spawn" in bench.read_text(encoding="utf-8")
    # Run from elsewhere, the script still finds the tests package (it puts the root on the path).
    code = f"import runpy; runpy.run_path({str(bench)!r}); from tests.serving import spawn"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
