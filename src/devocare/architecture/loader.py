"""Read architecture YAML safely, resolve ``extends:``, validate everything, and return an Architecture.

Safety: files over :data:`MAX_BYTES`, text that is not UTF-8, YAML anchors/aliases (the "billion laughs"
bomb), object tags, duplicate keys and deep nesting are refused before anything is built
(:mod:`devocare.safeyaml`). Nothing is partially loaded: either every check passes or
:class:`ArchitectureError` lists every problem.

Where ``extends:`` may look: always a built-in; ``saved:<id>`` only through the resolver the caller passes
(the web app's, which knows the user); a file path only from a file the caller named (:func:`load`),
relative to the file naming it and inside the first file's folder tree, symlinks resolved. Text submitted
over the web (:func:`load_text`) therefore never opens a server file, and cannot learn whether one exists.

``extends:`` merges the child over its base: mappings merge key by key; lists of mappings with ``id``
merge item by item (``{id: x, delete: true}`` removes an item, new ids are appended); accountability
edges without an id are keyed by ``from``/``to``; anything else is replaced.
"""

from __future__ import annotations

import copy
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from devocare.architecture.builtins import builtin_ids, builtin_text
from devocare.architecture.problems import ArchitectureError, Problem, format_loc
from devocare.architecture.schema import Architecture
from devocare.errors import DevocareError, UnknownChoiceError, closest
from devocare.safeyaml import check_events, construct, describe, where

MAX_BYTES = 1_000_000
#: Longest ``extends:`` chain accepted (a cycle is reported as a cycle, whatever its length).
MAX_EXTENDS_DEPTH = 16


@lru_cache(maxsize=32)
def _builtin_doc(arch_id: str) -> dict[str, Any]:
    return parse_yaml(builtin_text(arch_id), f"{arch_id}.yaml")


def parse_yaml(raw: bytes | str, file: str) -> dict[str, Any]:
    """Decode and parse one architecture document, refusing oversize, non-UTF-8, aliases and duplicates."""
    if isinstance(raw, str):
        try:
            raw = raw.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate, e.g. "\ud800" in a JSON request
            raise ArchitectureError(
                [Problem(file, "", f"not valid Unicode text (lone surrogate at character {exc.start})")]
            ) from None
    if len(raw) > MAX_BYTES:
        raise ArchitectureError([Problem(file, "", f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArchitectureError([Problem(file, "", f"not UTF-8 text (invalid byte at offset {exc.start})")]) from None
    try:
        check_events(text, "architecture files")
        doc = construct(text)
    except yaml.YAMLError as exc:
        raise ArchitectureError([Problem(file, where(exc), f"invalid YAML: {describe(exc)}")]) from None
    if not isinstance(doc, dict):
        raise ArchitectureError(
            [Problem(file, "", "expected a YAML mapping at the top level (id:, name:, bodies: ...)")]
        )
    return doc


def _item_key(item: Any, list_name: str) -> str | None:
    if not isinstance(item, dict):
        return None
    if "id" in item:
        return str(item["id"])
    if list_name == "accountability" and "from" in item and "to" in item:
        return f"{item['from']}->{item['to']}"
    return None


def merge(base: Any, override: Any, list_name: str = "") -> Any:
    """Deep-merge ``override`` onto ``base`` (see module docstring for list semantics)."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merge(base[key], value, str(key)) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(override, list):
        base_keys = [_item_key(i, list_name) for i in base]
        over_keys = [_item_key(i, list_name) for i in override]
        if base and all(k is not None for k in base_keys) and all(k is not None for k in over_keys):
            merged = {k: copy.deepcopy(i) for k, i in zip(base_keys, base, strict=True)}
            order = list(base_keys)
            for key, item in zip(over_keys, override, strict=True):
                if item.get("delete") is True:
                    merged.pop(key, None)
                    continue
                if key in merged:
                    merged[key] = merge(merged[key], item, list_name)
                else:
                    merged[key] = copy.deepcopy(item)
                    order.append(key)
            return [merged[k] for k in order if k in merged]
    return copy.deepcopy(override)


SavedResolver = Callable[[str], tuple[str, str]]
"""Given ``saved:<id>``, the saved architecture's YAML text and name (raise a DevocareError if the caller may not
use it). The web layer passes one, so that what a user may extend is decided where users are known."""


@dataclass(frozen=True)
class _Bases:
    """Where ``extends:`` may look besides the built-ins: a folder tree (``root``) and saved architectures."""

    root: Path | None = None
    saved: SavedResolver | None = None


def _resolve_extends(
    doc: dict[str, Any], file: str, here: Path | None, chain: tuple[str, ...], bases: _Bases
) -> dict[str, Any]:
    """Merge ``doc`` over its ``extends:`` chain; ``here`` is the folder of ``file`` (None: not a file)."""
    parent = doc.get("extends")
    if parent is None:
        return doc
    if not isinstance(parent, str) or not parent.strip():
        raise ArchitectureError([Problem(file, "extends", "expected a built-in id, saved:<id> or a file path")])
    parent_doc, parent_file, identity, parent_dir = _read_base(parent, here, file, bases)
    if identity in chain:
        loop = " -> ".join((*chain[chain.index(identity) :], identity))
        raise ArchitectureError([Problem(file, "extends", f"extends cycle: {loop}")])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ArchitectureError(
            [Problem(file, "extends", f"extends chain is more than {MAX_EXTENDS_DEPTH} architectures deep (the limit)")]
        )
    resolved = _resolve_extends(parent_doc, parent_file, parent_dir, (*chain, identity), bases)
    child = {k: v for k, v in doc.items() if k != "extends"}
    merged = merge(resolved, child)
    merged["extends"] = parent
    return merged


def _read_base(
    ref: str, here: Path | None, referrer: str, bases: _Bases
) -> tuple[dict[str, Any], str, str, Path | None]:
    """The document ``extends: ref`` names: (document, file name for problems, identity for cycles, its folder).

    Built-ins always; ``saved:<id>`` only through ``bases.saved``; a file path only inside ``bases.root``
    (symlinks resolved), so that text submitted to a server can never name a server file.
    """
    if ref in builtin_ids():
        return copy.deepcopy(_builtin_doc(ref)), f"{ref}.yaml", f"{ref}.yaml", None
    if ref.startswith("saved:"):
        if not re.fullmatch(r"saved:[1-9][0-9]{0,15}", ref):
            raise ArchitectureError([Problem(referrer, "extends", f"{ref!r} must read saved:<number>")])
        if bases.saved is None:
            raise ArchitectureError(
                [Problem(referrer, "extends", f"{ref!r}: saved architectures can be extended only in the web app")]
            )
        try:
            text, _name = bases.saved(ref)
        except DevocareError as exc:
            if not isinstance(exc, KeyError):  # not "no such item": e.g. the database is down
                raise
            raise ArchitectureError([Problem(referrer, "extends", str(exc).splitlines()[0])]) from None
        return parse_yaml(text, ref), ref, ref, None
    if bases.root is None or here is None:
        raise ArchitectureError(
            [
                Problem(
                    referrer,
                    "extends",
                    f"{ref!r} is not a built-in architecture{_did_you_mean(ref, builtin_ids())}; "
                    f"here extends: may name only a built-in ({', '.join(builtin_ids())}) "
                    "or a saved architecture (saved:<id>), not a file",
                )
            ]
        )
    try:
        path = (here / ref).resolve()
        inside = path.is_relative_to(bases.root)
        exists = inside and path.is_file()
    except (OSError, ValueError, RuntimeError) as exc:  # NUL byte, name too long, symlink loop
        raise ArchitectureError(
            [Problem(referrer, "extends", f"{ref[:200]!r} is not a usable file path ({type(exc).__name__})")]
        ) from None
    if not inside:
        raise ArchitectureError(
            [
                Problem(
                    referrer,
                    "extends",
                    f"{ref!r} is outside {str(bases.root)!r}, the folder of the architecture file "
                    "and its subfolders, where extends: may look (symlinks resolved)",
                )
            ]
        )
    if not exists:
        raise ArchitectureError(
            [
                Problem(
                    referrer, "extends", f"no built-in architecture or file {ref!r}" + _did_you_mean(ref, builtin_ids())
                )
            ]
        )
    return _read_file(path), str(path), str(path), path.parent


def _read_file(path: Path) -> dict[str, Any]:
    """Parse one architecture file, mapping size and permission failures to problems."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ArchitectureError([Problem(str(path), "", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")])
        raw = path.read_bytes()
    except PermissionError:
        raise ArchitectureError([Problem(str(path), "", "permission denied: this file cannot be read")]) from None
    except OSError as exc:
        raise ArchitectureError(
            [Problem(str(path), "", f"cannot be read ({exc.strerror or type(exc).__name__})")]
        ) from None
    return parse_yaml(raw, str(path))


def _read(ref: str) -> tuple[dict[str, Any], str, Path | None]:
    """The raw document for a built-in id or a file the caller names, its name for problems, and the folder
    that bounds its ``extends:`` (the file's own, symlinks resolved; None for a built-in)."""
    if ref in builtin_ids():
        return copy.deepcopy(_builtin_doc(ref)), f"{ref}.yaml", None
    path = Path(ref)
    if not path.is_file():
        if path.exists():
            raise DevocareError(f"architecture {ref!r} is not a file")
        raise UnknownChoiceError("architecture (built-in id or YAML file)", ref, builtin_ids())
    doc = _read_file(path)
    return doc, str(path), path.resolve().parent


def _did_you_mean(value: str, choices: list[str]) -> str:
    hint = closest(value, choices)
    return f"; did you mean {hint[0]!r}?" if hint else ""


# --- pydantic errors → problems with paths and closest keys -------------------------------------------------


def _unwrap_model(annotation: Any) -> Any:
    """The pydantic model, list or dict type inside an Optional/Union annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in typing.get_args(annotation):
            if arg is not type(None) and (
                isinstance(arg, type) and issubclass(arg, BaseModel) or typing.get_origin(arg) in (list, dict)
            ):
                return _unwrap_model(arg)
    return annotation


def _fields_at(loc: tuple[object, ...]) -> list[str]:
    """Valid keys of the model found at ``loc`` (for suggesting the closest key to a typo)."""
    current: Any = Architecture
    for part in loc:
        current = _unwrap_model(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {(f.alias or n): f for n, f in current.model_fields.items()}
            if part not in fields:
                return []
            current = fields[part].annotation
        elif typing.get_origin(current) in (list, dict):
            current = typing.get_args(current)[-1]
        else:
            return []
    current = _unwrap_model(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [(f.alias or n) for n, f in current.model_fields.items()]
    return []


def _problems_from_validation(exc: ValidationError, file: str) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("literal"))))
        path = format_loc(loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            valid = _fields_at(loc[:-1])
            msg = f"unknown key {loc[-1]!r}" + _did_you_mean(str(loc[-1]), valid)
            if valid:
                msg += f" (valid keys: {', '.join(valid)})"
        elif kind == "literal_error":
            options = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
            msg = f"{err['input']!r} is not valid; expected one of {', '.join(options)}"
            msg += _did_you_mean(str(err["input"]), options)
        elif kind == "missing":
            msg = "required key is missing"
        elif kind == "value_error":
            msg = str(err["msg"]).removeprefix("Value error, ")
        else:
            msg = err["msg"] + (
                f" (got {err['input']!r})"
                if kind not in ("value_error",) and not isinstance(err.get("input"), dict | list)
                else ""
            )
        out.append(Problem(file, path, msg))
    return out


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: dict[tuple[str, str, str], Problem] = {}
    for p in problems:
        seen.setdefault((p.file, p.path, p.message), p)
    return list(seen.values())


def build(doc: dict[str, Any], file: str) -> Architecture:
    """Validate a resolved document (schema, data amounts, cross-element rules); raise with every problem."""
    from devocare.architecture.validate import raw_reference_problems, resolve_data_amounts, validate

    try:
        arch = Architecture.model_validate(doc)
    except ValidationError as exc:
        problems = _problems_from_validation(exc, file) + raw_reference_problems(doc, file)
        raise ArchitectureError(_dedupe(problems), extended=doc.get("extends")) from None
    problems = resolve_data_amounts(arch, file)
    problems += validate(arch, file, builtin=shared_builtin)
    if problems:
        raise ArchitectureError(_dedupe(problems), extended=arch.extends)
    return arch


def load_text(
    text: str | bytes, name: str = "<text>", base_dir: Path | None = None, saved: SavedResolver | None = None
) -> Architecture:
    """Load an architecture from YAML text (the web app and storage use this).

    ``extends:`` may name a built-in; ``saved:<id>`` only when ``saved`` resolves it; a file path only when
    ``base_dir`` is given, and then only inside that folder tree. Text submitted over the web therefore
    cannot make the server read its own files.
    """
    doc = parse_yaml(text, name)
    root = base_dir.resolve() if base_dir is not None else None
    return build(_resolve_extends(doc, name, root, (name,), _Bases(root, saved)), name)


@lru_cache(maxsize=64)
def _load_builtin(arch_id: str) -> Architecture:
    doc, file, _ = _read(arch_id)
    return build(_resolve_extends(doc, file, None, (file,), _Bases()), file)


def shared_builtin(arch_id: str) -> Architecture:
    """The process's one validated copy of a built-in, not a private copy as :func:`load` returns: for
    callers that only read it (the simulator), saving a deep copy per call. Do not modify it."""
    if arch_id not in builtin_ids():
        raise UnknownChoiceError("architecture", arch_id, builtin_ids())
    return _load_builtin(arch_id)


def load(id_or_path: str) -> Architecture:
    """A built-in architecture by id, or a YAML file by path; ``extends:`` resolved, fully validated.

    A file's ``extends:`` paths resolve relative to the file that names them and must stay inside the first
    file's folder tree (symlinks resolved). Raises :class:`ArchitectureError` (a DevocareError) listing every
    problem, or UnknownChoiceError naming the closest built-in id when ``id_or_path`` is neither.
    """
    ref = str(id_or_path)
    if ref in builtin_ids():
        return _load_builtin(ref).model_copy(deep=True)
    doc, file, here = _read(ref)
    return build(_resolve_extends(doc, file, here, (_identity(file, here),), _Bases(root=here)), file)


def _identity(file: str, here: Path | None) -> str:
    """What a cycle is detected on: a built-in's file name, or a file's resolved path."""
    return file if here is None else str(Path(file).resolve())


def load_raw(id_or_path: str) -> dict[str, Any]:
    """The resolved (``extends:`` merged) document before validation — for showing and diffing YAML."""
    doc, file, here = _read(str(id_or_path))
    return _resolve_extends(doc, file, here, (_identity(file, here),), _Bases(root=here))
