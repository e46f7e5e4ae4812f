"""An architecture's money rules as sentences a reader can check against its source (for pages and reports)."""

from __future__ import annotations

from typing import Any

from devocare import formatting


def _pct(x: float) -> str:
    return formatting.percent(x)


def _share(x: float, all_: str, none: str, some: str) -> str:
    return all_ if x >= 1 else none if x <= 0 else some.format(_pct(x))


def _lines(lines: Any) -> str:
    from devocare.service_lines import SERVICE_LINES

    return ", ".join(SERVICE_LINES.get(str(x), (str(x),))[0].lower() for x in lines or [])


def money_rules(money: Any) -> list[tuple[str, str]]:
    """(rule, sentence) pairs for the settlement, risk, co-financing, incentive fund, caps and coverage."""
    rows = [
        (
            "Settlement",
            f"Block grants are fixed for {money.settlement_years} year"
            f"{'s' if money.settlement_years != 1 else ''} at a time"
            + (
                f", rising by {_pct(money.indexation)} a year inside a settlement."
                if money.indexation
                else ", with no indexation inside a settlement."
            ),
        ),
        (
            "Underspends",
            _share(
                money.savings_retained,
                "A budget holder keeps all of an underspend.",
                "An underspend returns to the centre in full.",
                "A budget holder keeps {} of an underspend; the rest returns to the centre.",
            ),
        ),
        (
            "Overspends",
            _share(
                money.overspend_borne_locally,
                "A budget holder bears all of an overspend, from its reserves.",
                "The centre meets every overspend in full.",
                "A budget holder bears {} of an overspend from its reserves; the centre meets the rest.",
            ),
        ),
    ]
    cof = money.co_financing
    if cof:
        rows.append(
            (
                "Co-financing",
                f"The {cof.payer_tier} tier pays {_pct(cof.share)} of the cost of each of its "
                f"residents' admissions ({_lines(cof.lines)}) to the {cof.receiver_tier} tier"
                + (
                    f"; {_pct(cof.hospital_funding_to_local)} of hospital funding is given to the "
                    f"{cof.payer_tier} tier to pay it."
                    if getattr(cof, "hospital_funding_to_local", None)
                    else "."
                ),
            )
        )
    else:
        rows.append(("Co-financing", "None: hospital admissions are paid by whoever holds the hospital budget."))
    fund = money.incentive_fund
    held = {str(pot.tier) for pot in money.pots}
    paid = [t for t in ("regional", "local", "national") if t in held and fund and fund.criteria_for(t) is not None]
    if fund and not paid:  # only paid pots are top-sliced: a fund that pays none of the tiers held takes nothing
        rows.append(
            ("Incentive fund", "None in effect: the fund pays no tier that holds a pot here, so nothing is held back.")
        )
    elif fund:

        def crit(tier: str) -> str:
            return ", ".join(str(c).replace("_", " ") for c in fund.criteria_for(tier) or [])

        if len({crit(t) for t in paid}) <= 1:
            targets = (
                f"at the {' and '.join(paid)} tier{'s' if len(paid) > 1 else ''} and paid to budget "
                f"holders that meet targets on: {crit(paid[0])}"
            )
        else:
            targets = "and paid to budget holders that meet targets: " + "; ".join(
                f"at the {t} tier on {crit(t)}" for t in paid
            )
        unpaid = (
            "money not earned goes back to the centre"
            if fund.unpaid == "centre"
            else "money not earned is shared among the same holder's budgets for the same pots in its other "
            "areas, in proportion to what they earn"
        )
        rows.append(("Incentive fund", f"{_pct(fund.top_slice)} of funding is held back {targets}; {unpaid}."))
    else:
        rows.append(("Incentive fund", "None."))
    cap = money.hospital_input_cap
    rows.append(
        (
            "Hospital input cap",
            f"Acute hospital spend may grow by at most {_pct(cap)} a year in real "
            "terms; activity above the cap is paid at a reduced price."
            if cap is not None
            else "None.",
        )
    )
    cov = money.coverage
    if cov:
        other = f"; other areas stay on {cov.otherwise}" if getattr(cov, "otherwise", None) else ""
        which = "every" if str(getattr(cov, "devolved", "")) == "all" else "the listed"
        rows.append(
            (
                "Coverage",
                f"These rules apply in {which} area at {str(cov.level).upper()} level with a devolution deal{other}.",
            )
        )
    else:
        rows.append(("Coverage", "These rules apply in every area of England."))
    return rows
