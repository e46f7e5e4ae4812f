"""The built-in architectures shipped as YAML beside this module: their ids and text.

Kept apart from the loader so that validation (which checks ``extends:``/``otherwise:`` ids against the
built-ins) and loading read one list without importing each other.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

__all__ = ["builtin_ids", "builtin_text"]


def builtin_ids() -> list[str]:
    """Ids of the built-in architectures shipped with the package."""
    return list(_builtin_ids())


@lru_cache(maxsize=1)
def _builtin_ids() -> tuple[str, ...]:
    folder = resources.files(__name__)
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def builtin_text(arch_id: str) -> str:
    """The YAML text of built-in ``arch_id`` (an id from :func:`builtin_ids`)."""
    return (resources.files(__name__) / f"{arch_id}.yaml").read_text(encoding="utf-8")
