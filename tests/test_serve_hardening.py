"""`brochure serve` under misuse: bad options, odd URLs, clients that leave, crowds, slow
clients, and builds that fail in ways nobody planned for. The server must answer each with a
plain sentence or a proper HTTP status, never a traceback, and keep serving."""

from __future__ import annotations

import http.client
import importlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import brochure.serve
from brochure.options import BuildOptions
from brochure.paths import PROJECT_ROOT
from tests.serving import listen, spawn

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


# --- shared set-up ---------------------------------------------------------------------------


def copy_project(root: Path) -> Path:
    """content.yml, translations and templates in a scratch folder; returns content.yml."""
    project = root / "project"
    project.mkdir()
    shutil.copy(PROJECT_ROOT / "content.yml", project)
    shutil.copytree(PROJECT_ROOT / "translations", project / "translations")
    shutil.copytree(PROJECT_ROOT / "templates", project / "templates")
    return project / "content.yml"


def run_serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`brochure serve ARGS` in a child process that is expected to stop by itself, quickly."""
    return subprocess.run(
        [sys.executable, "-m", "brochure", "serve", *args, "--out", str(tmp_path / "out")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_usage_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert message in result.stderr


# --- 1. usage mistakes: status 2 and one sentence --------------------------------------------


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "eighty"])
def test_a_port_out_of_range_is_a_usage_error(tmp_path, port):
    result = run_serve(tmp_path, f"--port={port}")
    assert_usage_error(result, "argument --port: must be a number between 0 and 65535")
    assert not (tmp_path / "out").exists()


def test_a_port_in_use_is_one_sentence(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = run_serve(tmp_path, "--port", str(port))
    assert_usage_error(
        result,
        f"brochure serve: port {port} is already in use; "
        "stop the other server or pick another with --port",
    )
    assert result.stderr.count("\n") == 1
    # The port is taken before anything is built: nothing was written, no workers started.
    assert not (tmp_path / "out").exists()


# The made-up name has a 64-letter label, which the resolver rejects without asking a DNS
# server: the test sends nothing over the network (nosuchhost.invalid would be looked up).
@pytest.mark.parametrize(
    "host, reason",
    [
        ("999.1.1.1", "Name or service not known"),
        ("x" * 64 + ".invalid", "Name or service not known"),
        ("192.0.2.1", "Cannot assign requested address"),  # TEST-NET: not this computer's
    ],
)
def test_an_unusable_host_is_one_sentence(tmp_path, host, reason):
    result = run_serve(tmp_path, "--host", host, "--port", "0")
    assert_usage_error(
        result, f"brochure serve: cannot listen on {host}: {reason}; use --host 127.0.0.1"
    )
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_host_that_is_not_even_a_name_is_one_sentence(tmp_path):
    host = "ä" * 64 + ".invalid"  # cannot be encoded for the resolver: nothing is looked up
    result = run_serve(tmp_path, "--host", host, "--port", "0")
    assert_usage_error(
        result,
        f"brochure serve: cannot listen on {host!r}: not a host name or address; "
        "use --host 127.0.0.1",
    )
    assert result.stderr.count("\n") == 1


# --- a server in a child process, shared by the HTTP tests ----------------------------------


class Served:
    def __init__(self, process: subprocess.Popen, url: str, out: Path, project: Path) -> None:
        self.process, self.url, self.out, self.project = process, url, out, project
        self.port = int(url.rsplit(":", 1)[1].strip("/"))

    def printed(self) -> str:
        return "".join(self.process.output)

    def printed_since(self, mark: int) -> str:
        """What the server printed after MARK characters, once its output has settled."""
        time.sleep(0.5)
        return self.printed()[mark:]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Served:
    root = tmp_path_factory.mktemp("served")
    content = copy_project(root)
    out = root / "out"
    process, url = spawn(content, out)
    try:
        yield Served(process, url, out, content.parent)
    finally:
        process.terminate()
        process.wait(timeout=10)


def exchange(port: int, request: bytes, timeout: float = 10) -> bytes:
    """Send REQUEST raw and read the whole answer (the server closes after one response)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


# --- 2. hostile or odd URLs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, status",
    [
        (b"/en/faq.pdf%00.html", 400),
        (b"/en/faq%00.pdf", 400),
        (b"/a\x00b.html", 400),
        (b"/" + b"a" * 8192, 414),
        (b"/" + b"a" * 300 + b".html", 404),  # shorter than the limit, too long for a name
        (b"/%", 404),
        (b"/%ff.html", 400),
        (b"/en/%ff%fe", 400),
        (b"/..%2f..%2fetc/passwd", 404),
        (b"/../../etc/passwd", 404),
        (b"/%2e%2e/project/content.yml", 404),
        (b"/..%2fproject%2fcontent.yml", 404),
    ],
)
def test_odd_urls_get_an_http_error_and_no_traceback(served, target, status):
    mark = len(served.printed())
    answer = exchange(served.port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1."), answer[:200]
    assert status_of(answer) == status
    assert b"program" not in answer and b"root:" not in answer  # no content.yml, no passwd
    printed = served.printed_since(mark)
    assert "Traceback" not in printed
    assert printed.count("\n") <= 1, printed


def test_a_link_out_of_the_output_folder_is_not_followed(served):
    link = served.out / "leak.yml"
    link.symlink_to(served.project / "content.yml")
    try:
        answer = exchange(served.port, b"GET /leak.yml HTTP/1.1\r\nHost: x\r\n\r\n")
    finally:
        link.unlink()
    assert status_of(answer) == 404
    assert b"program" not in answer


@pytest.mark.parametrize("method", [b"POST", b"PUT", b"DELETE", b"PATCH"])
def test_methods_that_change_things_are_not_allowed(served, method):
    mark = len(served.printed())
    answer = exchange(served.port, method + b" / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    assert status_of(answer) == 405
    assert b"\r\nAllow: GET, HEAD\r\n" in answer
    assert "Traceback" not in served.printed_since(mark)


@pytest.mark.parametrize("path", ["/", "/index.html", "/en/faq.pdf"])
def test_head_answers_like_get_without_a_body(served, path):
    mark = len(served.printed())
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    connection.request("HEAD", path)
    head = connection.getresponse()
    assert head.status == 200 and head.read() == b""
    connection.close()
    with urllib.request.urlopen(served.url + path.lstrip("/"), timeout=10) as response:
        body = response.read()
        assert head.getheader("Content-Type") == response.getheader("Content-Type")
    assert int(head.getheader("Content-Length")) == len(body)
    assert "Traceback" not in served.printed_since(mark)


def test_head_of_the_event_stream_does_not_hang(served):
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    connection.request("HEAD", "/__events")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"
    connection.close()


# --- 3. clients that leave -------------------------------------------------------------------


def abandon(port: int, request: bytes, read: int = 0) -> None:
    """Send REQUEST, read READ bytes at most, then drop the connection with a reset."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    sock.sendall(request)
    if read:
        sock.recv(read)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_clients_leaving_a_large_download_are_not_reported(served):
    big = served.out / "en" / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + bytes(16 * 1024 * 1024))
    mark = len(served.printed())
    try:
        for _ in range(5):
            abandon(served.port, b"GET /en/big.pdf HTTP/1.1\r\nHost: x\r\n\r\n", read=100)
        time.sleep(1)  # the server notices while it is still sending
    finally:
        big.unlink()
    printed = served.printed_since(mark)
    assert printed == "", printed
    assert urllib.request.urlopen(served.url, timeout=10).status == 200


@pytest.mark.parametrize("read", [0, 200])
def test_clients_leaving_the_event_stream_are_not_reported(served, read):
    mark = len(served.printed())
    for _ in range(8):
        abandon(served.port, b"GET /__events HTTP/1.1\r\nHost: x\r\n\r\n", read=read)
    for _ in range(8):
        abandon(served.port, b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
    # A rebuild makes the server write to every listener, gone or not.
    css = served.project / "templates" / "css" / "faq.css"
    thread, events = listen(served.url, until=("reload",))
    css.write_text(css.read_text() + f"\n/* touched {read} */\n")
    thread.join(timeout=60)
    assert events and events[-1][0] == "reload"
    printed = served.printed_since(mark)
    assert "Traceback" not in printed and "Error" not in printed, printed


# --- 4. crowds and slow clients --------------------------------------------------------------


def test_two_hundred_parallel_requests_all_succeed(served):
    url = served.url + "index.html"
    start = threading.Barrier(200, timeout=60)

    def fetch(_: int) -> str:
        start.wait()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return "ok" if b"</html>" in response.read() else "short"
        except OSError as exc:
            return repr(exc)

    with ThreadPoolExecutor(200) as pool:
        results = list(pool.map(fetch, range(200)))
    failed = [r for r in results if r != "ok"]
    assert not failed, f"{len(failed)} of 200 failed: {failed[:3]}"


class InProcess:
    """`serve()` running in a thread of this process, so tests can change its constants and
    what a build does."""

    def __init__(self, tmp_path: Path) -> None:
        self.content = copy_project(tmp_path)
        self.out = tmp_path / "out"
        self.lines: list[str] = []
        self.stop = threading.Event()
        self.url = ""
        self.thread: threading.Thread | None = None

    def start(self) -> InProcess:
        self.thread = threading.Thread(
            target=brochure.serve.serve,
            args=(BuildOptions.create(self.content, out=self.out),),
            kwargs={"port": 0, "say": self.lines.append, "stop": self.stop},
            daemon=True,
        )
        self.thread.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.thread.is_alive():
            for line in self.lines:
                if match := re.search(r"at (http://127\.0\.0\.1:\d+/)", line):
                    self.url = match[1]
                    return self
            time.sleep(0.1)
        raise AssertionError("serve() did not start:\n" + "\n".join(self.lines))

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].strip("/"))

    def printed(self) -> str:
        return "\n".join(self.lines)

    def touch(self, name: str = "faq.css") -> None:
        css = self.content.parent / "templates" / "css" / name
        css.write_text(css.read_text() + f"\n/* {time.monotonic()} */\n")

    def save_and_wait(self, until=("reload", "problem")) -> list:
        thread, events = listen(self.url, until)
        self.touch()
        thread.join(timeout=90)
        assert events, "no event after a save:\n" + self.printed()
        return events

    def save_and_read(self) -> str:
        """Save a stylesheet; return what the server printed about it."""
        before = len(self.lines)
        self.touch()
        deadline = time.monotonic() + 90
        while len(self.lines) == before and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.2)  # a message can take two lines
        return "\n".join(self.lines[before:])

    def banner(self, seconds: float = 1.5) -> list[tuple[str, str]]:
        """The events a page that opens now receives in its first SECONDS."""
        received = b""
        with socket.create_connection(("127.0.0.1", self.port), timeout=seconds) as sock:
            sock.sendall(b"GET /__events HTTP/1.1\r\nHost: x\r\n\r\n")
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                try:
                    chunk = sock.recv(4096)
                except TimeoutError:
                    break
                if not chunk:
                    break
                received += chunk
        return re.findall(r"event: (\w+)\ndata: ([^\n]*)", received.decode())

    def finish(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=30)


@pytest.fixture
def in_process(tmp_path, monkeypatch):
    monkeypatch.setattr(brochure.serve, "CONNECTION_TIMEOUT", 1, raising=False)
    monkeypatch.setattr(brochure.serve, "PING_SECONDS", 0.5, raising=False)
    server = InProcess(tmp_path)
    try:
        yield server
    finally:
        server.finish()


@pytest.mark.parametrize("sent", [b"", b"GET /ind"])
def test_a_slow_client_is_cut_off_after_the_timeout(in_process, sent):
    in_process.start()
    with socket.create_connection(("127.0.0.1", in_process.port), timeout=8) as sock:
        sock.sendall(sent)
        began = time.monotonic()
        try:
            answer = sock.recv(1024)
        except TimeoutError:
            pytest.fail("the server still holds a half-sent request after 8 s")
    assert time.monotonic() - began < 6
    assert answer == b"" or answer.startswith(b"HTTP/1.0 408")
    assert "Traceback" not in in_process.printed()


def test_the_event_stream_outlives_the_timeout_and_keeps_pinging(in_process):
    in_process.start()
    with socket.create_connection(("127.0.0.1", in_process.port), timeout=10) as sock:
        sock.sendall(b"GET /__events HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        began = time.monotonic()
        while time.monotonic() - began < 3 and (chunk := sock.recv(4096)):
            received += chunk  # three connection timeouts long
        assert b"200 OK" in received and b": connected" in received
        assert received.count(b": keep-alive") >= 2
        in_process.touch()
        while b"event: reload" not in received and (chunk := sock.recv(4096)):
            received += chunk
    assert b"event: reload" in received


def test_a_bug_while_answering_is_one_line_not_a_traceback(in_process, monkeypatch):
    def broken(self, path, body):
        raise RuntimeError("no pages today")

    monkeypatch.setattr(brochure.serve.Handler, "_html", broken)
    in_process.start()
    before = len(in_process.lines)
    assert exchange(in_process.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == b""
    time.sleep(0.5)
    assert in_process.lines[before:] == [
        "could not answer a request from 127.0.0.1: RuntimeError: no pages today"
    ]


# --- 5. builds that fail in unplanned ways ---------------------------------------------------


class Sabotage:
    """Wraps the build: while `error` is set, the build raises it instead of running."""

    def __init__(self, monkeypatch) -> None:
        self.error: BaseException | None = None
        real = brochure.serve.build

        def build(*args, **kwargs):
            if self.error is not None:  # a new one each time, as a real bug would raise
                raise type(self.error)(*self.error.args)
            return real(*args, **kwargs)

        monkeypatch.setattr(brochure.serve, "build", build)


def internal_errors(printed: str) -> int:
    return printed.count("Traceback (most recent call last)")


def test_an_unexpected_error_in_a_rebuild_keeps_the_server_up(in_process, monkeypatch):
    sabotage = Sabotage(monkeypatch)
    in_process.start()
    sabotage.error = RuntimeError("the disk is on fire\nand more detail")
    events = in_process.save_and_wait()
    banner = "internal error: RuntimeError: the disk is on fire (see the terminal)"
    assert events[-1] == ("problem", banner)
    printed = in_process.printed()
    assert internal_errors(printed) == 1 and "internal error (faq.css)" in printed
    assert urllib.request.urlopen(in_process.url, timeout=10).status == 200
    assert in_process.banner() == [("problem", banner)]  # a page opened now shows it too
    # The same error again: one more line, not the same traceback twice.
    again = in_process.save_and_read()
    assert again.startswith("internal error again (faq.css): RuntimeError: the disk is on fire")
    assert internal_errors(in_process.printed()) == 1
    sabotage.error = None
    events = in_process.save_and_wait(until=("reload",))
    assert events[-1][0] == "reload"
    assert in_process.banner() == []  # the banner is gone
    assert in_process.thread.is_alive()


def test_an_unexpected_error_in_the_first_build_still_serves(in_process, monkeypatch):
    sabotage = Sabotage(monkeypatch)
    sabotage.error = KeyError("trifold")
    in_process.start()
    thread, events = listen(in_process.url)
    thread.join(timeout=30)
    assert events == [("problem", "internal error: KeyError: 'trifold' (see the terminal)")]
    assert internal_errors(in_process.printed()) == 1
    sabotage.error = None
    assert in_process.save_and_wait(until=("reload",))[-1][0] == "reload"
    assert (in_process.out / "en" / "faq.pdf").is_file()


def test_a_lost_worker_is_replaced(in_process, monkeypatch):
    import brochure.workers

    pools = []
    real = brochure.workers.start_workers

    def start_workers(count: int):
        pools.append(real(count))
        return pools[-1]

    monkeypatch.setattr(brochure.workers, "start_workers", start_workers)
    in_process.start()
    os.kill(next(iter(pools[0]._processes)), signal.SIGKILL)
    time.sleep(1)  # the pool notices the loss
    events = in_process.save_and_wait()
    assert events[-1][0] == "problem" and events[-1][1].startswith("internal error: ")
    assert in_process.save_and_wait(until=("reload",))[-1][0] == "reload"
    assert len(pools) == 2


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/__view?pdf=%5Cevil.example/x", 404),
        ("/__view?pdf=//evil.example/x.pdf", 404),
        ("/__view?pdf=javascript:alert(1)", 404),
        ("/__view?pdf=en/faq.pdf", 200),
        ("/.brochure-state.json", 404),
        ("/en/.faq.pdf.abcdefgh.tmp", 404),
    ],
)
def test_the_viewer_shows_only_handouts_and_hidden_files_stay_hidden(served, path, status):
    """The viewer's frame can only name an edition's PDF (never another site), and the
    build's own hidden files (state, temporary files) are not served."""
    (served.out / "en" / ".faq.pdf.abcdefgh.tmp").write_bytes(b"half")
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    connection.request("GET", path)
    assert connection.getresponse().status == status
    connection.close()
