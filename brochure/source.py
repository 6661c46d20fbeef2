"""Read the files people write (content.yml, translations) without trusting them.

A path is confined to the project and checked to be an ordinary file before anything is read;
the YAML is scanned for anchors, aliases and tags before anything is built from it, so no
input can hang the build or exhaust memory. Only the standard library and yaml are used: the
build's no-op fast path imports this module and must stay cheap (no pydantic).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml

from brochure.errors import BrochureError

Loc = tuple[str | int, ...]

#: libyaml's parser when PyYAML was built with it (about ten times faster), else pure Python.
FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 512 * 1024
MAX_DEPTH = 30
_YAML_TAG = "tag:yaml.org,2002:"
_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
}


def character_name(char: str) -> str:
    """`U+001B (ESCAPE)`: control characters have no name in unicodedata, so some are ours."""
    import unicodedata

    name = _CONTROL_NAMES.get(ord(char)) or unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


class NotADate(str):
    """A YAML date no calendar has (2026-02-30), kept as written so the date field can say so."""


class _Loader(FastLoader):  # type: ignore[misc,valid-type]
    """The safe loader, except that an impossible date or an absurdly long number becomes text
    (for the field to refuse with a sentence) instead of a ValueError with no line."""


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return NotADate(node.value)


def _int(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_int(node)
    except ValueError:  # more digits than Python converts: no one meant a number
        return str(node.value)


_Loader.add_constructor(f"{_YAML_TAG}timestamp", _timestamp)
_Loader.add_constructor(f"{_YAML_TAG}int", _int)


# --- files ---------------------------------------------------------------------------------


def _not_a_file(mode: int) -> str | None:
    """What a path is, when it is not an ordinary file that can be read to its end."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not an ordinary file"


def _too_big(size: int) -> str:
    return (
        f"the file is {size / 1024:.0f} KB; a content file is at most "
        f"{MAX_FILE_BYTES // 1024} KB. Is this the right file?"
    )


def read_text(path: Path, name: str) -> str:
    """The text of a content file, refused before reading if it is not an ordinary file of a
    sensible size (a FIFO would block forever, /dev/zero never ends)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BrochureError(
            f"{path}: file not found; pass --content PATH to use another file"
        ) from None
    except (OSError, ValueError) as exc:
        raise BrochureError(f"{path}: cannot be read ({_reason(exc)})") from None
    kind = _not_a_file(info.st_mode)
    if kind == "a folder":
        raise BrochureError(f"{path}: is a folder; pass the path of a content file")
    if kind:
        raise BrochureError(f"{path}: is {kind}, not a file; pass the path of a content file")
    if info.st_size > MAX_FILE_BYTES:
        raise BrochureError(f"{name}: {_too_big(info.st_size)}")
    try:
        # Non-blocking, and checked again once open: the path may have changed since stat.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            kind = _not_a_file(os.fstat(handle.fileno()).st_mode)
            if kind:
                raise BrochureError(f"{path}: is {kind}, not a file; pass a content file")
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BrochureError(f"{path}: cannot be read ({_reason(exc)})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise BrochureError(f"{name}: {_too_big(len(raw))}")
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte order mark, as some Windows editors save
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BrochureError(
            f"{name}:{line}: not UTF-8 text ({exc.reason}); save the file as UTF-8"
        ) from None


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def confined_file(folder: Path, relative: object, referrer: str, field: str) -> Path:
    """The file a path written in a content file names, checked before anything reads it: text,
    relative, inside FOLDER once links are followed, present, and an ordinary file.

    REFERRER is `file:LINE` of the mention, FIELD its field path; both start every message.
    """
    where = f"{referrer}: {field}:"
    base = referrer.split(":", 1)[0]
    how = f"write the path of the file relative to the folder of {base}"
    if not isinstance(relative, str):
        raise BrochureError(f"{where} must be a file name, not {_kind_of(relative)}; {how}")
    if not relative.strip():
        raise BrochureError(f"{where} must not be empty; {how}")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in relative):
        raise BrochureError(f"{where} {relative!r} contains a control character; retype it")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).is_absolute():
        raise BrochureError(f"{where} {relative!r} is an absolute path; {how}")
    try:
        root = folder.resolve()
        target = (root / relative).resolve()
    except (OSError, RuntimeError):  # a link that points to itself
        raise BrochureError(f"{where} {relative!r} cannot be followed; {how}") from None
    if not target.is_relative_to(root):
        raise BrochureError(
            f"{where} {relative!r} is outside the project folder; copy the file into it"
        )
    try:
        info = target.stat()
    except FileNotFoundError:
        raise BrochureError(
            f"{where} {relative!r} was not found; check the file name "
            f"(paths are relative to the folder of {base})"
        ) from None
    except OSError as exc:
        raise BrochureError(f"{where} {relative!r} cannot be read ({_reason(exc)})") from None
    kind = _not_a_file(info.st_mode)
    if kind:
        raise BrochureError(f"{where} {relative!r} is {kind}, not a file; name a .yml file")
    if info.st_size > MAX_FILE_BYTES:
        raise BrochureError(f"{where} {relative!r}: {_too_big(info.st_size)}")
    return target


def _kind_of(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__}"


# --- YAML ----------------------------------------------------------------------------------


def read_yaml(path: Path, name: str | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse a YAML file with the same limits and messages as content.yml."""
    name = name or path.name
    return parse_yaml(read_text(path, name), name)


def parse_yaml(text: str, name: str) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML, returning the data and the line of every key and list item."""
    try:
        problems = _scan(text, name)
        if problems:
            raise BrochureError(problems)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise BrochureError(f"{name}:1: the file is empty")
            lines: dict[Loc, int] = {}
            _map_lines(node, (), lines, problems, name)
            if problems:
                raise BrochureError(problems)
            try:
                return loader.construct_document(node), lines
            except (ValueError, OverflowError):
                raise BrochureError(
                    f"{name}:1: a value in this file cannot be read; check its numbers and dates"
                ) from None
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        line, column = _position(text, exc.position)
        raise BrochureError(
            f"{name}:{line}:{column}: contains the control character "
            f"{character_name(chr(exc.character))}, which a content file cannot hold; "
            "delete it (it often comes from copying and pasting)"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1"
        raise BrochureError(
            f"{name}:{where}: YAML syntax error: {exc.problem or exc.context}; "
            "check the quotes, brackets and indentation here and on the line above"
        ) from None
    except yaml.YAMLError as exc:
        raise BrochureError(f"{name}:1: YAML error: {exc}") from None


def _position(text: str, offset: int) -> tuple[int, int]:
    """Line and column of a reader error: libyaml counts UTF-8 bytes, PyYAML characters."""
    if FastLoader is not yaml.SafeLoader:
        before = text.encode("utf-8")[:offset].decode("utf-8", errors="ignore")
    else:
        before = text[:offset]
    return before.count("\n") + 1, len(before.rsplit("\n", 1)[-1]) + 1


def _scan(text: str, name: str) -> list[str]:
    """Refuse anchors, aliases, tags and deep nesting from the parser's events, before a single
    node is composed: one alias can stand for a billion copies of another (linear time here)."""
    parser = FastLoader(text)
    # One frame per open mapping or list: [its field path, mapping?, awaiting a key?, key/index]
    frames: list[list[Any]] = []
    found: dict[str, str] = {}
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.NodeEvent):
                loc: Loc = ()
                if frames:
                    path, mapping, awaiting_key, key = frames[-1]
                    loc = path if mapping and awaiting_key else (*path, key)
                line = event.start_mark.line + 1
                where = ".".join(map(str, loc)) or "(top level)"
                unsupported = (
                    f"{name}:{line}: {where}: anchors and aliases (& and *) are not supported; "
                    "write the text out in full"
                )
                if isinstance(event, yaml.AliasEvent):
                    found.setdefault("alias", unsupported)
                elif event.anchor is not None:
                    found.setdefault("anchor", unsupported)
                tag = getattr(event, "tag", None)
                if tag is not None:
                    shown = "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag
                    found.setdefault(
                        "tag",
                        f"{name}:{line}: {where}: YAML tags such as {shown} are not supported; "
                        "remove it and write the value as plain text",
                    )
                if isinstance(event, yaml.CollectionStartEvent):
                    if len(frames) >= MAX_DEPTH:
                        found.setdefault(
                            "depth",
                            f"{name}:{line}: {where}: nested too deeply; check the indentation",
                        )
                        break
                    frames.append([loc, isinstance(event, yaml.MappingStartEvent), True, 0])
                    continue
                _advance(frames, event.value if isinstance(event, yaml.ScalarEvent) else "?")
            elif isinstance(event, yaml.CollectionEndEvent):
                frames.pop()
                _advance(frames, "?")
    finally:
        parser.dispose()
    # An alias is where text is missing; report it rather than the anchor it points to.
    first = found.get("alias") or found.get("anchor")
    return [m for m in (first, found.get("tag"), found.get("depth")) if m]


def _advance(frames: list[list[Any]], value: str) -> None:
    """A node finished: the next one in the open mapping is a value or a key, or the next item."""
    if not frames:
        return
    frame = frames[-1]
    if frame[1]:
        if frame[2]:
            frame[3] = value
        frame[2] = not frame[2]
    else:
        frame[3] += 1


def _map_lines(node: yaml.Node, loc: Loc, lines: dict, problems: list[str], name: str) -> None:
    """Record the line of every key and item; refuse repeated keys and merge keys. The scan has
    already refused aliases (so this is a tree) and deep nesting (so the recursion is short)."""
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            here = ".".join(map(str, (*loc, key)))
            key_line = key_node.start_mark.line + 1
            if key_node.tag == f"{_YAML_TAG}merge":
                problems.append(
                    f"{name}:{key_line}: {here}: merge keys (<<) are not supported; "
                    "write each key out in full"
                )
                continue
            if key in seen:
                problems.append(f"{name}:{key_line}: {here}: this key is given twice; keep one")
            seen.add(key)
            _map_lines(value_node, (*loc, key), lines, problems, name)
            lines[(*loc, key)] = key_line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, (*loc, index), lines, problems, name)


def line_for(loc: Loc, lines: dict[Loc, int]) -> int:
    """The line of LOC, or of its nearest parent that the file has."""
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)
