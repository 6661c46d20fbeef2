"""`brochure serve`, for designers: build, serve build/ on localhost, watch the inputs, rebuild
what changed, and reload the browser page by itself.

A content, template or fit problem is printed in the terminal and shown on the page; the
server keeps running, so fixing the file brings the page back.
"""

from __future__ import annotations

import errno
import functools
import html
import queue
import re
import sys
import threading
import time
import traceback
import urllib.parse
from concurrent.futures.process import BrokenProcessPool
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from brochure.build import build
from brochure.errors import BrochureError
from brochure.fonts import font_files
from brochure.incremental import STATE_FILE, recorded_reads
from brochure.options import BuildOptions
from brochure.plan import quick_plan

POLL_SECONDS = 0.02  # a save is seen within 20 ms; one poll stats ~25 files (~0.3 ms)
#: Seconds a client may take to send its request (or to take a response) before the server
#: drops it: a client that stalls halfway must not hold a thread forever.
CONNECTION_TIMEOUT = 10
#: Seconds between keep-alive comments on an idle event stream.
PING_SECONDS = 10
#: Longest URL answered (414 beyond): every path in the output folder is far shorter.
MAX_URL = 2048

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

#: What the live viewer may show: EDITION/DOCUMENT.pdf, nothing else.
VIEWABLE = re.compile(r"[A-Za-z0-9-]+(/[A-Za-z0-9-]+)?/[a-z0-9-]+\.pdf")

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
    """Serves the output folder, adds the live script to HTML pages, streams build events.

    Whatever a client sends gets an HTTP status, never a traceback: the terminal is kept for
    build problems. Only files inside the output folder are served.
    """

    hub: Hub
    timeout = CONNECTION_TIMEOUT  # per connection; `serve` sets the current value

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if len(self.path) > MAX_URL:
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return False
        return True

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _not_allowed(self) -> None:
        self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)

    do_POST = do_PUT = do_DELETE = do_PATCH = _not_allowed

    def _answer(self, body: bool) -> None:
        route, _, query = self.path.partition("?")
        if route == "/__events":
            return self._events(body, _query_value(query, "view"))
        if route == "/__view":
            return self._view(_query_value(query, "pdf"), body)
        path = self._local_path()
        if path is None:
            return None
        if path.is_dir() and self._inside(path / "index.html"):
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self._html(path, body)
        return super().do_GET() if body else super().do_HEAD()

    def _local_path(self) -> Path | None:
        """The file or folder the URL names in the output folder; None once an error is sent.

        The stock handler meets NUL bytes, undecodable escapes and over-long names with a
        traceback, and follows links out of the folder; here they are 400 or 404.
        """
        raw = self.path.split("?", 1)[0].split("#", 1)[0]
        try:
            text = urllib.parse.unquote(raw, errors="strict")
        except UnicodeDecodeError:
            self.send_error(HTTPStatus.BAD_REQUEST, "The path is not UTF-8")
            return None
        if any(ord(char) < 32 or ord(char) == 127 for char in text):
            self.send_error(HTTPStatus.BAD_REQUEST, "The path holds a control character")
            return None
        path = Path(self.translate_path(self.path))
        hidden = any(part.startswith(".") for part in text.split("/"))  # the build's own files
        if self._inside(path) and not hidden:
            return path
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def _inside(self, path: Path) -> bool:
        """PATH exists and is in the output folder, links followed."""
        try:
            return path.resolve().is_relative_to(Path(self.directory).resolve()) and path.exists()
        except (OSError, ValueError):  # a name too long for the file system, say
            return False

    def _html(self, path: Path, body: bool) -> None:
        self._live_page(path.read_text(encoding="utf-8", errors="replace"), body)

    def _view(self, name: str, body: bool) -> None:
        """The live viewer page for one PDF (see VIEW_PAGE): only an edition's PDF, named as
        `edition/document.pdf`, so the frame can never point at another site."""
        if not VIEWABLE.fullmatch(name.lstrip("/")):
            self.send_error(HTTPStatus.NOT_FOUND, "No such handout")
            return
        self._live_page(VIEW_PAGE.format(name=html.escape(name.lstrip("/"), quote=True)), body)

    def _live_page(self, page: str, body: bool) -> None:
        """An HTML page with the live script added (HEAD: the same headers, no body)."""
        data = page.replace("</body>", LIVE_SCRIPT + "</body>", 1).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, body: bool, view: str = "") -> None:
        """Stream build events to one page until it goes away.

        The connection stays open for as long as the page does; only writes can block, so
        the connection timeout only drops a page that stopped reading. The keep-alive comment
        every PING_SECONDS is how a closed page is noticed.
        """
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if not body:
            return
        client = self.hub.subscribe(view.lstrip("/"))
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                try:
                    event, data = client.get(timeout=PING_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    lines = "".join(f"data: {line}\n" for line in (data or "").splitlines() or [""])
                    self.wfile.write(f"event: {event}\n{lines}\n".encode())
                self.wfile.flush()
        except OSError:  # the page was closed, or stopped reading: nothing to report
            pass
        finally:
            self.hub.unsubscribe(client)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        if self.command not in ("GET", "HEAD"):
            self.send_header("Allow", "GET, HEAD")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass


class Server(ThreadingHTTPServer):
    """The stock threaded server, with room for a crowd and quiet about clients that leave."""

    daemon_threads = True
    request_queue_size = 128  # the stock 5 drops connections when a page loads many files
    say = staticmethod(print)

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the client went away or stalled: nothing anyone needs to act on
        summary = f"{type(error).__name__}: {error}".splitlines()[0][:200]
        self.say(f"could not answer a request from {client_address[0]}: {summary}")


class CannotListen(BrochureError):
    """The server cannot take the host or port it was given: a usage mistake (exit status 2)."""


def listen(host: str, port: int, handler, say=print) -> Server:
    """Bind the server socket, or explain in one sentence why not."""
    try:
        server = Server((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CannotListen(
                f"port {port} is already in use; stop the other server or pick another with --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise CannotListen(
                f"port {port} needs administrator rights; pick one above 1023 with --port"
            ) from None
        reason = exc.strerror or str(exc)
        raise CannotListen(f"cannot listen on {host}: {reason}; use --host 127.0.0.1") from None
    except OverflowError:  # a caller that skipped the command line's check
        raise CannotListen("--port must be between 0 and 65535") from None
    except (TypeError, ValueError):  # not even a name: a NUL byte, a label too long to encode
        raise CannotListen(
            f"cannot listen on {host!r}: not a host name or address; use --host 127.0.0.1"
        ) from None
    server.say = say
    return server


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
            self._sources = (stamp, {path for plan in plans for path in plan.inputs})
        state = self.options.out / STATE_FILE
        stamp = _stamp(state)
        if stamp != self._reads[0]:
            self._reads = (stamp, recorded_reads(self.options.out))
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
    handler = type("LiveHandler", (Handler,), {"hub": hub, "timeout": CONNECTION_TIMEOUT})
    # The port is taken first: a port in use or a bad --host ends here, at once, before
    # anything is built or any worker process is started.
    server = listen(host, port, functools.partial(handler, directory=str(out_dir)), say)
    stop = stop or threading.Event()
    serving = pool = None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # Workers that live as long as the server: each keeps WeasyPrint, fonts and caches warm.
        pool = start_workers(os.cpu_count() or 1)

        last_bug = ""

        def rebuild(reason: str) -> None:
            """The PDFs open in a viewer first, and their pages reload at once; then the rest."""
            nonlocal pool, last_bug
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
                        render = max(b.seconds for b in early.built)
                        say(
                            f"rebuilt first ({reason}) in {seconds:.2f} s: {_names(early)} "
                            f"(render {render:.3f} s)"
                        )
                result = build(options, pool=pool)
            except BrochureError as exc:
                watcher.tried = {Path(path) for path in exc.tried}
                text = "\n".join(exc.lines)
                say(f"problem ({reason}):\n{text}")
                hub.publish("problem", text)
                return
            except Exception as exc:  # a bug of ours, not the user's: say so, keep serving
                summary = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                summary = summary.splitlines()[0][:200]
                details = traceback.format_exc().rstrip()
                if details == last_bug:  # the same traceback at every save would bury the rest
                    say(f"internal error again ({reason}): {summary} (traceback above)")
                else:
                    say(f"internal error ({reason}), a bug in brochure; please report:\n{details}")
                last_bug = details
                if isinstance(exc, BrokenProcessPool):  # a worker died; the pool is unusable
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = start_workers(os.cpu_count() or 1)
                    say("started new build workers; save again to rebuild")
                hub.publish("problem", f"internal error: {summary} (see the terminal)")
                return
            last_bug = ""
            seconds = time.perf_counter() - start
            say(f"rebuilt ({reason}) in {seconds:.2f} s: {_names(result)}")
            hub.publish("reload", skip=frozenset(reloaded))

        # The baseline is taken before the first build, so a save made while it runs (or
        # before the loop starts) is still seen as a change.
        watcher = Watcher(options)
        seen = watcher.stamps()
        rebuild("start")
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        say(f"Serving {out_dir} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
        sys.stdout.flush()
        while not stop.is_set():
            time.sleep(POLL_SECONDS)
            now = watcher.stamps()
            if now != seen:
                changed = [p.name or str(p) for p in now if now.get(p) != seen.get(p)]
                seen = now
                rebuild(", ".join(changed[:3]) + (" ..." if len(changed) > 3 else ""))
    except KeyboardInterrupt:
        say("stopped")
    finally:
        if serving is not None:
            server.shutdown()  # waits for serve_forever, so only once it runs
        server.server_close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return 0


def _names(report) -> str:
    return ", ".join(f"{b.edition}/{b.document}" for b in report.built) or "nothing new"


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
