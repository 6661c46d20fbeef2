"""The one place that writes into the output folder.

Every new file is first written whole to a temporary name beside its place; only when all
of them are written are they renamed into place, one by one. So a full disk or a kill leaves
the last good PDFs as they were, and if a rename fails halfway the message says exactly which
files are new and which are old. One build at a time per output folder: a second waits.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
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


#: Our temporary names: `.NAME.RANDOM.tmp` beside a file the build writes (mkstemp's RANDOM
#: is 8 characters). Nothing else in the folder is ever removed.
LEFTOVER = re.compile(r"^\..+\.(pdf|png|html|json)\.[A-Za-z0-9_]{8}\.tmp$")


def remove_leftovers(out: Path) -> None:
    """Temporary files a killed build left behind (only ever removed under the lock)."""
    if not out.is_dir():
        return
    for path in out.rglob(f".*{TEMP_SUFFIX}"):
        if LEFTOVER.match(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)


def publish(files: list[tuple[Path, bytes]], out: Path, sync_each: bool = True) -> None:
    """Write every file, all or nothing as far as the file system allows.

    Each file reaches the disk before any is renamed into place. SYNC_EACH=False (a thousand
    workers' cards) flushes them all with one sync instead of one each: the same guarantee,
    without a thousand journal commits."""
    _check_places(files, out)
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []  # folders this call created: removed again if it fails
    try:
        for path, data in files:
            made += _make_folder(path.parent)
            staged.append((_write_temporary(path, data, sync_each), path))
        if not sync_each:
            os.sync()
    except OSError as exc:
        for temporary, _path in staged:
            temporary.unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
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


def remove(paths: list[Path]) -> list[Path]:
    """Delete files the build itself made earlier; the ones that were there and are gone."""
    removed = []
    for path in paths:
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # left in place; the next build tries again
    return removed


class PartlyWritten(BrochureError):
    """Some files were replaced before a rename failed: say which are new and which are old."""

    def __init__(self, failed: Path, exc: OSError, new: list[Path], old: list[Path]) -> None:
        lines = [f"{failed}: cannot replace ({exc.strerror or exc})"]
        lines += [f"  new: {path}" for path in new]
        lines += [f"  old (unchanged): {path}" for path in old]
        lines.append("Some files above are new and some are old: run the build again.")
        super().__init__(lines)
        self.wrote_nothing = False


def _check_places(files: list[tuple[Path, bytes]], out: Path) -> None:
    """Refuse, before writing anything, a folder where a file goes or a file where a folder
    goes (inside the output folder)."""
    problems = []
    for path, _data in files:
        if path.is_dir():
            problems.append(
                f"{path}: is a folder where the build writes a file; remove or rename it"
            )
        for parent in path.parents:
            if parent == out or not parent.is_relative_to(out):
                break
            if parent.exists() and not parent.is_dir():
                problems.append(
                    f"{parent}: is a file where the build needs a folder; remove or rename it"
                )
    if problems:
        raise BrochureError(list(dict.fromkeys(problems)))


def _make_folder(folder: Path) -> list[Path]:
    """Create FOLDER and its missing parents; return the ones created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def _write_temporary(path: Path, data: bytes, sync: bool = True) -> Path:
    """The whole file, flushed to disk (unless the caller syncs them all), under a hidden name
    beside its place."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    temporary = Path(name)
    try:
        os.chmod(fd, 0o644)  # mkstemp makes it private; handouts are for everyone to print
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary
