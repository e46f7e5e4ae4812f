"""Read YAML (and so JSON) that a user gives, so that no input crashes the reader or exhausts the process.

``yaml.safe_load`` alone raises ``ValueError`` on an impossible date (``2024-02-30``, month 13, year 0),
``RecursionError`` on deeply nested text and ``UnicodeDecodeError``/``PermissionError`` on odd files: each of
those was a traceback. Here every one is a :class:`~devocare.errors.DevocareError` naming the place (exit
code 2 on the command line, a 4xx on the web). Nesting is capped at :data:`MAX_DEPTH` levels, checked on the
parser's event stream before anything is built, so the check itself cannot recurse.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from devocare.errors import DevocareError

#: Deepest nesting of mappings and lists accepted (the deepest shipped file uses 8).
MAX_DEPTH = 64
#: Largest YAML or JSON file read (architectures have their own limit of the same size).
MAX_BYTES = 1_000_000

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE = "tag:yaml.org,2002:"
#: Explicit tags that only say which plain type a value is (``!!str 2024``); the rest (``!!binary``,
#: ``!!python/...``, ``!custom``, ``!!set``) build values no user file needs, so they are refused.
_PLAIN_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp"))
_SURROGATE = re.compile("[\ud800-\udfff]")


class SafeLoader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader (libyaml's when present) whose dates fail as YAML errors with a line, not ValueError."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> dt.date | dt.datetime:
    try:
        value: dt.date | dt.datetime = yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"impossible date {node.value!r} ({exc})", node.start_mark
        ) from None
    return value


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class TooDeep(yaml.YAMLError):
    """Nesting deeper than :data:`MAX_DEPTH`, with where it happened."""

    def __init__(self, mark: Any) -> None:
        super().__init__(f"nesting deeper than {MAX_DEPTH} levels (the limit)")
        self.problem, self.problem_mark = str(self), mark


def check_depth(event: yaml.Event, depth: int) -> int:
    """The nesting depth after ``event`` (raise :class:`TooDeep` past the limit): for event-stream checkers."""
    if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
        depth += 1
        if depth > MAX_DEPTH:
            raise TooDeep(event.start_mark)
    elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
        depth -= 1
    return depth


class Refused(yaml.YAMLError):
    """A construct user files may not use (anchor, alias, duplicate key), with where it is."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


def check_events(text: str, kind: str = "these files") -> None:
    """Refuse anchors and aliases (the "billion laughs" bomb), tags that build objects, duplicate keys (a value
    silently lost), text that is not valid Unicode (lone surrogates, which break every page and file that
    shows them) and nesting past :data:`MAX_DEPTH`, in one pass over the parser's events (libyaml when
    present)."""
    # each open mapping: (keys seen, expecting a key next); None for an open list
    bad = _SURROGATE.search(text)  # text that came from JSON or Python, not from decoding bytes
    if bad is not None:
        raise Refused(f"text with a lone surrogate (character {bad.start()}) is not valid Unicode", None)
    stack: list[tuple[set[object], list[bool]] | None] = []
    depth = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        depth = check_depth(event, depth)
        if isinstance(event, yaml.AliasEvent):
            raise Refused(f"YAML aliases (*name) are not accepted in {kind}", event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise Refused(f"YAML anchors (&{anchor}) are not accepted in {kind}", event.start_mark)
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _PLAIN_TAGS and not isinstance(event, yaml.DocumentStartEvent):
            raise Refused(f"YAML tag {tag.replace(_CORE, '!!')} is not accepted in {kind}", event.start_mark)
        if isinstance(event, yaml.ScalarEvent) and _SURROGATE.search(event.value):  # from a "\\uD800" escape
            raise Refused("text with a lone surrogate (\\uD800-\\uDFFF) is not valid Unicode", event.start_mark)
        top = stack[-1] if stack else None
        is_key = top is not None and top[1][0]
        if isinstance(event, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent) and top is not None:
            if is_key and isinstance(event, yaml.ScalarEvent):
                if event.value in top[0]:
                    raise Refused(f"duplicate key {event.value!r}", event.start_mark)
                top[0].add(event.value)
            top[1][0] = not is_key
        if isinstance(event, yaml.MappingStartEvent):
            stack.append((set(), [True]))
        elif isinstance(event, yaml.SequenceStartEvent):
            stack.append(None)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            stack.pop()


def where(exc: yaml.YAMLError) -> str:
    """``line L, column C`` of a YAML error ('' when it has no position)."""
    mark = getattr(exc, "problem_mark", None)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def describe(exc: yaml.YAMLError) -> str:
    """The problem of a YAML error in one line, without the echo of the input that PyYAML adds."""
    return str(getattr(exc, "problem", None) or exc).splitlines()[0]


def construct(text: str) -> Any:
    """``yaml.load`` with :class:`SafeLoader`; a value no constructor can build (an explicit tag on the wrong
    text, such as ``!!int x``) is a YAML error too, not a ValueError."""
    try:
        return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
    except (ValueError, OverflowError) as exc:
        raise yaml.YAMLError(f"a value cannot be read ({str(exc)[:120]})") from None
    except (TypeError, AttributeError):
        raise yaml.YAMLError("a value does not match its explicit tag (such as !!int or !!timestamp)") from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise yaml.YAMLError(f"nesting deeper than {MAX_DEPTH} levels (the limit)") from None


def loads(text: str, what: str) -> Any:
    """Parse YAML or JSON text (see :func:`check_events`); :class:`DevocareError` naming ``what`` and the line
    on any problem."""
    try:
        check_events(text)
        return construct(text)
    except yaml.YAMLError as exc:
        at = where(exc)
        raise DevocareError(f"{what} is not valid YAML" + (f" at {at}" if at else "") + f": {describe(exc)}") from None


def read_text(path: str | Path, what: str, max_bytes: int = MAX_BYTES) -> str:
    """A user-named text file's content: missing, unreadable, oversize or non-UTF-8 files are named errors."""
    p = Path(path)
    try:
        if not p.is_file():
            raise DevocareError(f"{what} {str(p)!r} not found" + (" (it is a folder)" if p.is_dir() else ""))
        size = p.stat().st_size
        if size > max_bytes:
            raise DevocareError(f"{what} {str(p)!r} is {size:,} bytes; the limit is {max_bytes:,}")
        raw = p.read_bytes()
    except PermissionError:
        raise DevocareError(f"{what} {str(p)!r}: permission denied") from None
    except OSError as exc:
        raise DevocareError(f"{what} {str(p)!r} cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DevocareError(f"{what} {str(p)!r} is not UTF-8 text (invalid byte at offset {exc.start})") from None


def load_file(path: str | Path, what: str) -> Any:
    """Read and parse a user-named YAML or JSON file (see :func:`read_text` and :func:`loads`)."""
    return loads(read_text(path, what), f"{what} {str(path)!r}")
