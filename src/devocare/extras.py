"""Optional extras: which features need which, and a clear error when one is not installed.

The core install (``pip install devocare``) runs the library and the command line's tables and simulations;
charts, reports, the web app, Dask, PostgreSQL, Excel and the fast kernels come with extras
(``pip install 'devocare[web]'``, or ``'devocare[all]'`` for everything). A command that needs a missing
extra exits with code 2 and names the extra to install, instead of failing with an ImportError.
"""

from __future__ import annotations

import importlib.util

from devocare.errors import DevocareError

#: extra → the importable modules it provides (as ``pyproject.toml``'s optional dependencies declare them).
EXTRAS: dict[str, tuple[str, ...]] = {
    "fast": ("numba",),
    "dask": ("dask", "distributed"),
    "charts": ("plotly",),
    "web": ("fastapi", "uvicorn", "jinja2", "multipart", "sqlalchemy", "alembic", "plotly"),
    "postgres": ("psycopg",),
    "excel": ("openpyxl",),
}


class MissingExtraError(DevocareError, ImportError):
    """A feature was asked for whose optional dependencies are not installed (an ImportError too, so code
    that guards an optional import with ``except ImportError`` keeps working)."""

    def __init__(self, extra: str, feature: str, absent: list[str]) -> None:
        self.extra, self.feature, self.absent = extra, feature, absent
        super().__init__(
            f"{feature} needs the '{extra}' extra (missing: {', '.join(absent)}); "
            f"install it with: pip install 'devocare[{extra}]'"
        )


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here (found without importing them)."""
    absent = []
    for module in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a parent that fails to import, or a module hidden in sys.modules
            found = False
        if not found:
            absent.append(module)
    return absent


def available(extra: str) -> bool:
    """Whether every module of ``extra`` is installed."""
    return not missing(extra)


def require(extra: str, feature: str) -> None:
    """Raise :class:`MissingExtraError` (exit code 2 on the command line) unless ``extra`` is installed."""
    absent = missing(extra)
    if absent:
        raise MissingExtraError(extra, feature, absent)
