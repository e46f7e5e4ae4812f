"""Monte Carlo draws of uncertain parameters: one random stream per parameter path, centred distributions,
declared correlations.

Why each choice:

* **One stream per path.** Draw ``d`` of parameter ``p`` is element ``d`` of a stream seeded by the run's
  seed and a hash of ``p``, so it depends on nothing else: overriding one parameter (which makes it fixed)
  leaves every other parameter's draws as they were, and ``--set`` comparisons stay paired draw by draw.
* **Centred.** Every distribution has its median at the value the parameter tree states (the value in
  force for the base year); the stated interval keeps its meaning (an 80% interval for ``[lo, hi]``, the
  support for ``uniform`` and ``triangular``). Where the interval is not symmetric around the value the
  distribution is two-piece: half its mass on each side of the value.
* **Correlations** are declared in the tree (``correlations:``, each with a source or an assumption label)
  and applied as a Gaussian copula: a parameter's standard normal is mixed with that of the parameter it is
  declared against, so the pair keeps its marginals and the overridden parameter's stream (not its value)
  is what the partner follows.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
from scipy.special import ndtr

_Z80 = 1.2815515655446004  # the 90th percentile of a standard normal: [lo, hi] is an 80% interval


def path_key(path: str) -> tuple[int, ...]:
    """Four 32-bit words of SHA-256(path): a stable spawn key for the parameter's stream."""
    digest = hashlib.sha256(path.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def standard_normals(seed: int, path: str, draws: np.ndarray) -> np.ndarray:
    """Standard normal of each draw number for ``path``: element ``d`` of the path's own stream (draw 0,
    the central run, gets 0)."""
    draws = np.asarray(draws, dtype=np.int64)
    if len(draws) == 0:
        return np.zeros(0)
    stream = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(2**31, *path_key(path)))))
    z = stream.standard_normal(int(draws.max()) + 1)
    out = z[draws]
    out[draws == 0] = 0.0
    return out


def quantile(u: np.ndarray, centre: float, spec: dict[str, Any]) -> np.ndarray:
    """Inverse CDF of the centred distribution ``spec`` at probabilities ``u``; its median is ``centre``."""
    lo, hi = spec["low"], spec["high"]
    below = u < 0.5
    if spec["dist"] == "normal80":
        from scipy.special import ndtri

        z = ndtri(np.clip(u, 1e-15, 1 - 1e-15))
        sd_lo, sd_hi = (centre - lo) / _Z80, (hi - centre) / _Z80
        return centre + z * np.where(below, sd_lo, sd_hi)
    if spec["dist"] == "uniform":
        return np.where(below, lo + (centre - lo) * 2 * u, centre + (hi - centre) * (2 * u - 1))
    # triangular: density rising to a peak at the centre and falling to the bounds, half the mass each side
    return np.where(below, lo + (centre - lo) * np.sqrt(2 * u), hi - (hi - centre) * np.sqrt(2 * (1 - u)))


def median_of(centre: float, spec: dict[str, Any]) -> float:
    """The distribution's median (the centre by construction); for tests and documentation."""
    return float(quantile(np.array([0.5]), centre, spec)[0])


def draw_scalars(
    specs: dict[str, tuple[float, dict[str, Any], tuple[float, float]]],
    correlations: list[tuple[str, str, float]],
    seed: int,
    draws: np.ndarray,
) -> dict[str, np.ndarray]:
    """Values of every uncertain parameter for the draw numbers ``draws``.

    ``specs``: path → (centre, distribution, valid range); ``correlations``: (path, partner, rho), the
    partner's own normal mixed in. Draw 0 is the central run and gets the centre. Values are clipped to the
    valid range (which holds the centre, so the median is unchanged).
    """
    raw = {p: standard_normals(seed, p, draws) for p in specs}
    z = dict(raw)
    for path, partner, rho in correlations:
        if path in z:
            other = raw[partner] if partner in raw else standard_normals(seed, partner, draws)
            z[path] = rho * other + math.sqrt(1.0 - rho * rho) * raw[path]
    out: dict[str, np.ndarray] = {}
    central = np.asarray(draws) == 0
    for path, (centre, spec, (vmin, vmax)) in specs.items():
        x = np.clip(quantile(ndtr(z[path]), centre, spec), vmin, vmax)
        out[path] = np.where(central, centre, x)
    return out
