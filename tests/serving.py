"""Helpers for tests and the benchmark that need a real `brochure serve`: start one in a child
process, and read its server-sent events. They live here, not in the product, because only
tests and scripts/bench.py use them."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def spawn(content: Path, out_dir: Path, timeout: float = 120) -> tuple:
    """Start `brochure serve --port 0` in a child process; return it and its URL once it serves.

    The child's output (stdout and stderr together) keeps being read into `process.output`,
    so the server never blocks on a full pipe and tests can look at what it printed.
    """
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "brochure",
            "serve",
            "--port",
            "0",
            "--content",
            str(content),
            "--out",
            str(out_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline and process.poll() is None:
        line = process.stdout.readline()
        seen.append(line)
        if match := re.search(r"at (http://127\.0\.0\.1:\d+/)", line):
            process.output = seen  # type: ignore[attr-defined]
            threading.Thread(target=lambda: seen.extend(process.stdout), daemon=True).start()
            return process, match[1]
    process.kill()
    raise RuntimeError("brochure serve did not start:\n" + "".join(seen))


def iter_events(url: str, timeout: float, connected: threading.Event | None = None):
    """Yield (event, data) from a server-sent event stream at URL, each event whole.

    CONNECTED is set once the server has registered this listener.
    """
    event, data = "message", []
    with urllib.request.urlopen(url, timeout=timeout) as response:
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line == ": connected" and connected is not None:
                connected.set()
            elif line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and data:  # the end of one event: all its data lines together
                yield event, "\n".join(data)
                event, data = "message", []


def event_stream(
    url: str,
    timeout: float,
    until: tuple[str, ...] = ("reload", "problem"),
    connected: threading.Event | None = None,
) -> list[tuple[str, str]]:
    """Read server-sent events from URL until one of UNTIL arrives (for tests and the bench)."""
    events = []
    for event, data in iter_events(url, timeout, connected):
        events.append((event, data))
        if event in until:
            break
    return events


def listen(url: str, until: tuple[str, ...] = ("reload", "problem")) -> tuple:
    """Collect events from the server at URL in the background until one of UNTIL arrives;
    returns (thread, events) once the server has registered the listener."""
    events: list = []
    connected = threading.Event()
    thread = threading.Thread(
        target=lambda: events.extend(event_stream(url + "__events", 60, until, connected)),
        daemon=True,
    )
    thread.start()
    assert connected.wait(30), "the event stream did not connect"
    return thread, events
