"""``--out`` and ``--force`` for every command that writes a file: checked before any work is done.

A command that would overwrite an existing file, write into a missing or read-only folder, or write onto a
folder stops with a one-line error (exit code 2) before computing anything, so bad input writes nothing
and an earlier result is never lost by accident; ``--force`` allows overwriting a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from devocare.errors import DevocareError

FORCE = typer.Option(False, "--force", help="Overwrite the --out file if it exists.")


def check_out(out: str | Path | None, force: bool, suffixes: tuple[str, ...] = (), flag: str = "--out") -> None:
    """Refuse ``out`` unless it can be written: the right suffix, an existing writable folder, and no
    existing file unless ``force``."""
    if out is None:
        return
    path = Path(out)
    if suffixes and path.suffix.lower() not in suffixes:
        raise DevocareError(f"{flag} {str(out)!r} must end in {' or '.join(suffixes)}")
    if path.is_dir():
        raise DevocareError(f"{flag} {str(out)!r} is a folder; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise DevocareError(f"{flag} {str(out)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DevocareError(f"{flag} {str(out)!r}: permission denied (folder {str(folder)!r} is not writable)")
    if path.exists() and not force:
        raise DevocareError(f"{flag} {str(out)!r} already exists; add --force to overwrite it")
