"""The one place that writes into the output folder.

Every new file is first written whole to a temporary name beside its place; only when all
of them are written are they renamed into place, one by one. So a full disk or a kill leaves
the last good PDFs as they were, and if a rename fails halfway the message says exactly which
files are new and which are old. One build at a time per output folder: a second waits.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from brochure.errors import BrochureError

LOCK_WAIT_SECONDS = 600.0
TEMP_SUFFIX = ".tmp"


@contextmanager
def output_lock(
    out: Path, on_wait: Callable[[str], None] | None = None, wait: float = LOCK_WAIT_SECONDS
) -> Iterator[None]:
    """Hold OUT for one build. Another build into the same folder waits here (and says so).

    The lock file lives in the temporary folder, named after OUT, so a build that fails
    before writing leaves no trace in OUT (it may not even exist yet).
    """
    if out.exists() and not out.is_dir():
        raise BrochureError(f"{out}: is a file, not a folder; pass --out with a folder")
    name = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:24]
    try:
        folder = Path(tempfile.gettempdir()) / "brochure-locks"
        if not folder.is_dir():
            folder.mkdir(exist_ok=True)
            os.chmod(folder, 0o1777)  # shared, like /tmp itself: any user may lock in it
        fd = os.open(folder / f"{name}.lock", os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError as exc:
        raise BrochureError(
            f"{out}: cannot lock this output folder ({exc.strerror or exc}); "
            f"check that {tempfile.gettempdir()} is writable"
        ) from None
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait(f"another build is writing to {out}; waiting for it to finish")
                    told = True
                if time.monotonic() > deadline:
                    raise BrochureError(
                        f"{out}: another build has been writing here for {wait:.0f} s; "
                        "stop it, or build into another folder with --out"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_leftovers(out: Path) -> None:
    """Temporary files a killed build left behind (only ever removed under the lock)."""
    if not out.is_dir():
        return
    for path in out.rglob(f".*{TEMP_SUFFIX}"):
        if path.is_file():
            path.unlink(missing_ok=True)


def publish(files: list[tuple[Path, bytes]], out: Path) -> None:
    """Write every file, all or nothing as far as the file system allows."""
    folders = [str(path) for path, _data in files if path.is_dir()]
    if folders:
        raise BrochureError(
            [
                f"{name}: is a folder where the build writes a file; remove or rename it"
                for name in folders
            ]
        )
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            staged.append((_write_temporary(path, data), path))
    except OSError as exc:
        for temporary, _path in staged:
            temporary.unlink(missing_ok=True)
        failed = files[len(staged)][0]
        raise BrochureError(
            f"{failed}: cannot write ({exc.strerror or exc}); check that {out} is writable "
            "and the disk has room"
        ) from None
    done: list[Path] = []
    for index, (temporary, path) in enumerate(staged):
        try:
            os.replace(temporary, path)
        except OSError as exc:
            for left, _path in staged[index:]:
                left.unlink(missing_ok=True)
            raise PartlyWritten(path, exc, done, [p for _t, p in staged[index:]]) from None
        done.append(path)


class PartlyWritten(BrochureError):
    """Some files were replaced before a rename failed: say which are new and which are old."""

    def __init__(self, failed: Path, exc: OSError, new: list[Path], old: list[Path]) -> None:
        lines = [f"{failed}: cannot replace ({exc.strerror or exc})"]
        lines += [f"  new: {path}" for path in new]
        lines += [f"  old (unchanged): {path}" for path in old]
        lines.append("Some files above are new and some are old: run the build again.")
        super().__init__(lines)
        self.wrote_nothing = False


def _write_temporary(path: Path, data: bytes) -> Path:
    """The whole file, flushed to disk, under a hidden name beside its place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    temporary = Path(name)
    try:
        os.chmod(fd, 0o644)  # mkstemp makes it private; handouts are for everyone to print
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary
