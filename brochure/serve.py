"""`brochure serve`, for designers: build, serve build/ on localhost, watch the inputs, rebuild
what changed, and reload the browser page by itself.

A content, template or fit problem is printed in the terminal and shown on the page; the
server keeps running, so fixing the file brings the page back.
"""

from __future__ import annotations

import functools
import html
import json
import queue
import sys
import threading
import time
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from brochure.build import build
from brochure.errors import BrochureError
from brochure.fonts import font_files
from brochure.incremental import STATE_FILE
from brochure.options import BuildOptions
from brochure.plan import quick_plan

POLL_SECONDS = 0.02  # a save is seen within 20 ms; one poll stats ~25 files (~0.3 ms)

#: Added to HTML pages served here (never to files on disk): listens for rebuilds.
LIVE_SCRIPT = """
<script>
/* brochure serve: reload after each rebuild; show build problems on the page. The page tells
   the server which PDF it shows, so that one is rebuilt first. */
(function () {
  var view = new URLSearchParams(location.search).get("pdf") || "";
  var events = new EventSource("/__events?view=" + encodeURIComponent(view));
  function banner() {
    var box = document.getElementById("brochure-problem");
    if (!box) {
      box = document.createElement("pre");
      box.id = "brochure-problem";
      box.setAttribute("role", "alert");
      box.style.cssText = "margin:0;padding:1em;background:#b3261e;color:#fff;" +
        "white-space:pre-wrap;font:15px/1.4 monospace";
      document.body.insertBefore(box, document.body.firstChild);
    }
    return box;
  }
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("problem", function (e) { banner().textContent = e.data; });
  /* Open PDFs in the live viewer, which reloads by itself. */
  document.querySelectorAll('a[href$=".pdf"]').forEach(function (a) {
    a.href = "/__view?pdf=" + encodeURIComponent(a.getAttribute("href"));
  });
})();
</script>
"""

#: The live viewer for one PDF: the browser's own PDF viewer in a frame, reloaded on rebuild.
VIEW_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name} (live)</title>
<style>html,body{{margin:0;height:100%}}iframe{{border:0;width:100%;height:100%}}</style>
</head><body><iframe src="/{name}" title="{name}"></iframe></body></html>
"""


class Hub:
    """Fans build events out to every open page, and knows which PDF each page shows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[queue.Queue, str] = {}  # client -> the PDF it shows ("" = none)
        self.problem: str | None = None

    def subscribe(self, view: str = "") -> queue.Queue:
        client: queue.Queue = queue.Queue()
        with self._lock:
            self._clients[client] = view
            if self.problem:
                client.put(("problem", self.problem))
        return client

    def unsubscribe(self, client: queue.Queue) -> None:
        with self._lock:
            self._clients.pop(client, None)

    def viewed(self) -> set[str]:
        """The PDFs open in a live viewer right now, as paths relative to the output folder."""
        with self._lock:
            return {view for view in self._clients.values() if view}

    def publish(
        self,
        event: str,
        data: str = "",
        views: set[str] | None = None,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        """Send EVENT to every page (or only those showing one of VIEWS), except pages showing
        one of SKIP (reloaded already)."""
        with self._lock:
            if views is None:
                self.problem = data if event == "problem" else None
            for client, view in self._clients.items():
                if (views is None or view in views) and view not in skip:
                    client.put((event, data))


class Handler(SimpleHTTPRequestHandler):
    hub: Hub

    def do_GET(self) -> None:
        route, _, query = self.path.partition("?")
        if route == "/__events":
            return self._events(_query_value(query, "view"))
        if route == "/__view":
            return self._view(_query_value(query, "pdf"))
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self._html(path)
        return super().do_GET()

    def _html(self, path: Path) -> None:
        body = path.read_text(encoding="utf-8").replace("</body>", LIVE_SCRIPT + "</body>", 1)
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _view(self, name: str) -> None:
        page = VIEW_PAGE.format(name=html.escape(name.lstrip("/"), quote=True))
        data = page.replace("</body>", LIVE_SCRIPT + "</body>", 1).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _events(self, view: str = "") -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        client = self.hub.subscribe(view.lstrip("/"))
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                try:
                    event, data = client.get(timeout=10)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    lines = "".join(f"data: {line}\n" for line in (data or "").splitlines() or [""])
                    self.wfile.write(f"event: {event}\n{lines}\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.hub.unsubscribe(client)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass


def _query_value(query: str, name: str) -> str:
    values = urllib.parse.parse_qs(query).get(name) or [""]
    return values[0]


def viewed_pairs(views: set[str], options: BuildOptions) -> frozenset[tuple[str, str]]:
    """(edition, document) of each viewed PDF that is one of this build's outputs."""
    pairs = set()
    for view in views:
        parts = view.split("/")
        if len(parts) == 2 and parts[1].endswith(".pdf"):
            edition, document = parts[0], parts[1][: -len(".pdf")]
            if options.profile.output_path(options.out, edition, document) == options.out / view:
                pairs.add((edition, document))
    return frozenset(pairs)


class Watcher:
    """The files a rebuild depends on: content.yml, the translations it names, every template
    and stylesheet, the fonts, whatever else the last builds read (a picture beside
    content.yml, say) and what the last failed build could not read. Polled often, so the
    lists behind it are re-read only when the file that names them changes."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.fonts = font_files()  # from installed packages: the list does not change
        self._sources: tuple[object, set[Path]] = (None, set())
        self._reads: tuple[object, set[Path]] = (None, set())
        self.tried: set[Path] = set()

    def files(self) -> list[Path]:
        content = self.options.content
        stamp = _stamp(content)
        if stamp != self._sources[0]:
            plans = quick_plan(content) or []  # unreadable: still watched; the build says why
            self._sources = (stamp, {path for plan in plans for path in plan.sources})
        state = self.options.out / STATE_FILE
        stamp = _stamp(state)
        if stamp != self._reads[0]:
            self._reads = (stamp, recorded_reads(state))
        templates = sorted(p for p in self.options.templates.rglob("*") if p.is_file())
        extra = sorted(self._sources[1] | self._reads[1] | self.tried)
        return [content, *extra, *templates, *self.fonts]

    def stamps(self) -> dict[Path, object]:
        return {path: _stamp(path) for path in self.files()}


def _stamp(path: Path) -> object:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def recorded_reads(state: Path) -> set[Path]:
    """Files the last builds read, from the state file."""
    try:
        entries = json.loads(state.read_text(encoding="utf-8")).get("files", {})
        return {Path(p) for entry in entries.values() for p in entry.get("reads", [])}
    except (OSError, ValueError, AttributeError, TypeError):
        return set()  # no build yet, or a state file the next build replaces


def serve(
    options: BuildOptions,
    host: str = "127.0.0.1",
    port: int = 8000,
    say=print,
    stop: threading.Event | None = None,
) -> int:
    """Run until Ctrl-C (or STOP is set)."""
    import os
    import signal

    from brochure.workers import start_workers

    # A polite stop (SIGTERM, as from a test or a service manager) ends like Ctrl-C, so the
    # worker processes are shut down too.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)

    out_dir = options.out
    hub = Hub()
    out_dir.mkdir(parents=True, exist_ok=True)
    # Workers that live as long as the server: each keeps WeasyPrint, fonts and caches warm.
    pool = start_workers(os.cpu_count() or 1)

    def rebuild(reason: str) -> None:
        """The PDFs open in a viewer first, and their pages reload at once; then the rest."""
        start = time.perf_counter()
        views = hub.viewed()
        first = viewed_pairs(views, options) if views else frozenset()
        reloaded: set[str] = set()
        try:
            if first:
                early = build(options.but(only=first), pool=pool)
                if early.built:
                    reloaded = {f"{b.edition}/{b.path.name}" for b in early.built}
                    hub.publish("reload", views=reloaded)
                    seconds = time.perf_counter() - start
                    say(f"rebuilt first ({reason}) in {seconds:.2f} s: {_names(early)}")
            result = build(options, pool=pool)
        except BrochureError as exc:
            watcher.tried = {Path(path) for path in exc.tried}
            text = "\n".join(exc.lines)
            say(f"problem ({reason}):\n{text}")
            hub.publish("problem", text)
            return
        seconds = time.perf_counter() - start
        say(f"rebuilt ({reason}) in {seconds:.2f} s: {_names(result)}")
        hub.publish("reload", skip=frozenset(reloaded))

    # The baseline is taken before the first build, so a save made while it runs (or before
    # the loop starts) is still seen as a change.
    watcher = Watcher(options)
    seen = watcher.stamps()
    rebuild("start")
    handler = functools.partial(Handler, directory=str(out_dir))
    Handler.hub = hub
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    say(f"Serving {out_dir} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
    sys.stdout.flush()
    stop = stop or threading.Event()
    try:
        while not stop.is_set():
            time.sleep(POLL_SECONDS)
            now = watcher.stamps()
            if now != seen:
                changed = [p.name for p in now if now.get(p) != seen.get(p)]
                seen = now
                rebuild(", ".join(changed[:3]) + (" ..." if len(changed) > 3 else ""))
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.shutdown()
        server.server_close()
        pool.shutdown(cancel_futures=True)
    return 0


def _names(report) -> str:
    return ", ".join(f"{b.edition}/{b.document}" for b in report.built) or "nothing new"


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
