"""Per-user folders: where devocare may write caches, instead of inside the installed package.

``DEVOCARE_CACHE_DIR`` overrides the cache folder; otherwise it is the platform's per-user cache folder
(``~/.cache/devocare`` on Linux, ``~/Library/Caches/devocare`` on macOS, ``%LOCALAPPDATA%\\devocare\\Cache``
on Windows), from platformdirs.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The per-user cache folder (not created here)."""
    configured = os.environ.get("DEVOCARE_CACHE_DIR")
    if configured:
        return Path(configured)
    try:
        from platformdirs import user_cache_path
    except ImportError:  # platformdirs is a core dependency; this keeps a broken environment working
        return Path.home() / ".cache" / "devocare"
    return user_cache_path("devocare", appauthor=False)


def configure_numba_cache() -> None:
    """Point Numba's on-disk cache of compiled kernels at ``<cache_dir>/numba`` unless ``NUMBA_CACHE_DIR`` is
    already set; must run before Numba is imported (Numba reads the variable once, at import)."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir() / "numba"))
