"""Per-user folders: where devocare may write caches and saved work, instead of inside the installed package
or whatever folder a command happens to start in.

``DEVOCARE_CACHE_DIR`` overrides the cache folder; otherwise it is the platform's per-user cache folder
(``~/.cache/devocare`` on Linux, ``~/Library/Caches/devocare`` on macOS, ``%LOCALAPPDATA%\\devocare\\Cache``
on Windows), from platformdirs. ``DEVOCARE_DATA_DIR`` overrides the data folder (the default saved-work
database and its run tables); otherwise it is the per-user data folder (``~/.local/share/devocare`` on Linux,
``~/Library/Application Support/devocare`` on macOS, ``%LOCALAPPDATA%\\devocare`` on Windows).
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


def data_dir() -> Path:
    """The per-user data folder (not created here: the store creates it when it first writes there)."""
    configured = os.environ.get("DEVOCARE_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    try:
        from platformdirs import user_data_path
    except ImportError:  # platformdirs is a core dependency; this keeps a broken environment working
        return Path.home() / ".local" / "share" / "devocare"
    return user_data_path("devocare", appauthor=False)


def configure_numba_cache() -> None:
    """Point Numba's on-disk cache of compiled kernels at ``<cache_dir>/numba`` unless ``NUMBA_CACHE_DIR`` is
    already set; must run before Numba is imported (Numba reads the variable once, at import)."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir() / "numba"))
