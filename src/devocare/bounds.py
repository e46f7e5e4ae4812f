"""Bounds on the numbers a user passes to the library, CLI and web: finite, in range, named when not.

One check for every numeric argument, so that ``--growth nan``, ``--growth -2`` (more than -100% a year),
``--alpha 7`` or ``--years 1000000`` get a one-line error naming the argument and its range (exit code 2,
a 4xx on the web) instead of NaN budgets, negative grants or a run that never ends.
"""

from __future__ import annotations

import math

from devocare.errors import DevocareError

#: Longest run of years any command computes (grants, convergence); the simulator has its own, shorter cap.
MAX_YEARS = 100
#: Largest seed accepted (it is stored in run records and databases as a signed 64-bit integer).
MAX_SEED = 2**63 - 1
#: Annual growth (fraction) no scenario means: below -100% (money below zero) or above +100% a year.
MIN_GROWTH, MAX_GROWTH = -1.0, 1.0


def check_number(name: str, value: object, lo: float, hi: float) -> float:
    """``value`` as a float if it is a finite number in ``[lo, hi]``; a :class:`DevocareError` naming
    ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DevocareError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise DevocareError(f"{name} must be a finite number, got {value!r}")
    if not lo <= number <= hi:
        raise DevocareError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")
    return number


def check_int(name: str, value: object, lo: int, hi: int) -> int:
    """``value`` if it is an integer in ``[lo, hi]``; a :class:`DevocareError` naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DevocareError(f"{name} must be a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise DevocareError(f"{name} must be between {lo} and {hi}, got {value!r}")
    return value


def check_growth(name: str, value: object) -> float:
    """An annual growth rate (fraction): finite, from -100% to +100% a year."""
    return check_number(name, value, MIN_GROWTH, MAX_GROWTH)
