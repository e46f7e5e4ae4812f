"""A plain-language verdict that never says more than the intervals and the robustness checks allow.

"Effect of x (interval)" only when every method's interval excludes zero on the same side, the pre-period
fit is acceptable and the in-time placebo finds nothing; otherwise "no detectable effect" (which is not
evidence of no effect) or "cannot conclude" with the reason.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["verdict"]


def _fmt(x: float) -> str:
    return "unbounded" if not math.isfinite(x) else f"{x:+.3g}"


def verdict(
    methods: pd.DataFrame, robustness: pd.DataFrame | None, unit: str, polarity: str, fit_problems: list[str]
) -> str:
    """One or two sentences for the web page, the report and the CLI."""
    if fit_problems:
        return "cannot conclude: " + "; ".join(fit_problems)
    level = int(round(100 * float(methods["level"].iloc[0])))
    above = (methods["lower"] > 0).all()
    below = (methods["upper"] < 0).all()
    parts = [
        f"{str(name).replace('_', ' ')} {float(est):+.3g} ({level}% interval {_fmt(float(lo))} to {_fmt(float(hi))})"
        for name, est, lo, hi in zip(
            methods["method"], methods["estimate"], methods["lower"], methods["upper"], strict=True
        )
    ]
    detail = "; ".join(parts)
    if not (above or below):
        mixed = ((methods["lower"] > 0) | (methods["upper"] < 0)).any()
        lead = (
            "no detectable effect: the methods disagree, and at least one interval includes zero"
            if mixed
            else "no detectable effect: every interval includes zero"
        )
        return f"{lead} ({detail}). This is not evidence of no effect."
    est = float(methods["estimate"].median())
    better = (est > 0) if polarity == "higher_is_better" else (est < 0)
    direction = "" if polarity == "neither" else (" (better)" if better else " (worse)")
    text = f"effect of {est:+.3g} {unit}{direction}, median of {len(methods)} methods ({detail})"
    caveats = []
    if robustness is not None and not robustness.empty:
        placebo = robustness[(robustness["check"] == "in-time placebo") & robustness["method"].ne("")]
        if ((placebo["lower"] > 0) | (placebo["upper"] < 0)).any():
            caveats.append(
                "the in-time placebo also finds an 'effect' before devolution, so the design may be "
                "picking up a trend rather than the deal"
            )
        loo = robustness[robustness["check"] == "leave-one-out"]["estimate"].dropna()
        if len(loo) and ((loo > 0).any() and (loo < 0).any()):
            caveats.append("leaving out a single donor changes the sign of the estimate")
    if caveats:
        return "suggestive only: " + text + "; but " + "; and ".join(caveats) + "."
    return text + "."
