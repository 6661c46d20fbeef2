"""`brochure serve`, for designers: build, serve build/ on localhost, watch the inputs, rebuild
what changed, and reload the browser page by itself.

A content, template or fit problem is printed in the terminal and shown on the page; the
server keeps running, so fixing the file brings the page back.
"""

from __future__ import annotations

import functools
import queue
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from brochure.documents import Profile
from brochure.errors import BrochureError
from brochure.fonts import font_files
from brochure.incremental import build_changed, edition_sources

POLL_SECONDS = 0.1

#: Added to HTML pages served here (never to files on disk): listens for rebuilds.
LIVE_SCRIPT = """
<script>
/* brochure serve: reload after each rebuild; show build problems on the page. */
(function () {
  var events = new EventSource("/__events");
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
})();
</script>
"""


class Hub:
    """Fans build events out to every open page."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: list[queue.Queue] = []
        self.problem: str | None = None

    def subscribe(self) -> queue.Queue:
        client: queue.Queue = queue.Queue()
        with self._lock:
            self._clients.append(client)
            if self.problem:
                client.put(("problem", self.problem))
        return client

    def unsubscribe(self, client: queue.Queue) -> None:
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)

    def publish(self, event: str, data: str = "") -> None:
        with self._lock:
            self.problem = data if event == "problem" else None
            for client in self._clients:
                client.put((event, data))


class Handler(SimpleHTTPRequestHandler):
    hub: Hub

    def do_GET(self) -> None:
        if self.path == "/__events":
            return self._events()
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

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        client = self.hub.subscribe()
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


def watched_files(content: Path, templates: Path, fonts: list[Path]) -> list[Path]:
    """content.yml, the translations it names, every template and stylesheet, the fonts."""
    files = {content}
    try:
        for sources, _documents in edition_sources(content).values():
            files.update(sources)
    except Exception:  # a broken content.yml is still watched; the build reports the problem
        pass
    return [*sorted(files), *sorted(p for p in templates.rglob("*") if p.is_file()), *fonts]


def stamps(files: list[Path]) -> dict[Path, int]:
    found = {}
    for path in files:
        try:
            found[path] = path.stat().st_mtime_ns
        except OSError:
            found[path] = -1
    return found


def serve(
    content: Path,
    templates: Path,
    out_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    say=print,
    stop: threading.Event | None = None,
) -> int:
    """Run until Ctrl-C (or STOP is set)."""
    import os
    import signal

    from brochure.build import start_workers

    # A polite stop (SIGTERM, as from a test or a service manager) ends like Ctrl-C, so the
    # worker processes are shut down too.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)

    profile = Profile("office")
    hub = Hub()
    out_dir.mkdir(parents=True, exist_ok=True)
    # Workers that live as long as the server: each keeps WeasyPrint, fonts and caches warm.
    pool = start_workers(os.cpu_count() or 1)

    def rebuild(reason: str) -> None:
        start = time.perf_counter()
        try:
            result = build_changed(content, templates, out_dir, profile, [], pool=pool)
        except BrochureError as exc:
            text = "\n".join(exc.lines)
            say(f"problem ({reason}):\n{text}")
            hub.publish("problem", text)
            return
        seconds = time.perf_counter() - start
        names = ", ".join(f"{b.edition}/{b.document}" for b in result.built) or "nothing new"
        say(f"rebuilt ({reason}) in {seconds:.2f} s: {names}")
        hub.publish("reload")

    # The baseline is taken before the first build, so a save made while it runs (or before
    # the loop starts) is still seen as a change.
    fonts = font_files()  # they come from installed packages: the list does not change
    seen = stamps(watched_files(content, templates, fonts))
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
            now = stamps(watched_files(content, templates, fonts))
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


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
