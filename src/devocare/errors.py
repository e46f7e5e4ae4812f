"""User-facing errors: bad input that the CLI reports in one line (exit 2) and the API as a 4xx."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class DevocareError(Exception):
    """An error caused by the caller's input, not by a bug: shown without a traceback."""

    exit_code = 2


def closest(value: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Closest valid choices to a misspelled value (case-insensitive)."""
    options = [str(c) for c in choices]
    lowered = {o.lower(): o for o in options}
    hits = difflib.get_close_matches(str(value).lower(), list(lowered), n=n, cutoff=0.5)
    return [lowered[h] for h in hits]


class UnknownChoiceError(DevocareError, KeyError):
    """A value that is not one of a known set (code, level, indicator, parameter path...)."""

    def __init__(self, what: str, value: object, choices: Iterable[object], show: int = 12) -> None:
        options = [str(c) for c in choices]
        self.what, self.value, self.choices = what, value, options
        message = f"unknown {what} {value!r}"
        suggestions = closest(str(value), options)
        if suggestions:
            message += f"; did you mean {', '.join(repr(s) for s in suggestions)}?"
        if options:
            listed = ", ".join(options[:show]) + (f", ... ({len(options)} in all)" if len(options) > show else "")
            message += f" Valid: {listed}"
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])
