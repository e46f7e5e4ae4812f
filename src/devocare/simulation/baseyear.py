"""The 2024/25 base year reconciled with published funding: every pound in scope belongs to a service line.

Each row is one published funding stream, the devocare figure that carries it (the parameter tree's
base-year values) and where both come from. Published figures are read from the shipped NHS England
allocation files where they exist, else quoted from the bibliography. A test checks that the ICB
allocation lines add up, and ``docs/background/base-year.md`` shows the table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from devocare import data
from devocare.service_lines import base_year_spend, spend_paths

CORE = "nhse_icb_allocations_2023_25_icb_core_allocations_2024_25"
CORE_COL = "2024/25 Combined allocation (inc. COVID, additional elective and discharge) (£k)"
RUNNING = "nhse_icb_allocations_2023_25_icb_running_cost_allowance"
PMC = "nhse_icb_allocations_2023_25_pmc_allocations_2024_25"
OTHER_PC = "nhse_icb_allocations_2023_25_other_primary_care"
SPEC_BASE = "nhse_icb_allocations_2025_26_specialised_baseline_2025_26"
SPEC_COL = "2024/25 Physical health services + MH baseline (£k)"
RSX = "mhclg_revenue_outturn_rsx_by_la_2022_23_2023_24"
#: Cash rise of councils' core spending power 2023/24 → 2024/25 (bibliography mhclg-lgfs-2024): rolls the latest
#: council outturn shipped (2023/24) forward so that the base year is one vintage.
COUNCIL_ROLL_FORWARD = 0.075
#: Specialised commissioning spend in 2023/24, £bn, the latest total published (bibliography pq-2024-specialised).
SPECIALISED_2023_24 = 25.0
#: Lines funded by ICB core services and running-cost allocations.
CORE_LINES = ("acute_spend", "spend.mental_health", "spend.community_health", "spend.prescribing")


def _england(dataset: str, column: str, scale: float = 1e6) -> float:
    """A dataset's England row in ``column``: £k → £bn by default."""
    df = data.load(dataset)
    return float(df.loc[df["level"] == "England", column].iloc[0]) / scale


def published() -> dict[str, float]:
    """Published 2024/25 ICB allocation streams, £bn, from the shipped NHS England files."""
    return {
        "core": _england(CORE, CORE_COL),
        "running": _england(RUNNING, "2024/25 £k"),
        "primary_medical": _england(PMC, "2024/25 Recurrent allocation (£k)"),
        "other_primary_care": _england(OTHER_PC, "2024/25 Recurrent allocation £k"),
    }


def nhs_base_growth() -> float:
    """The base cash growth NHS England gave every ICB's core allocation for 2024/25 (3.22%, England row of the
    shipped 2024/25 core allocation file): it rolls the 2023/24 specialised total forward to the base year."""
    return _england(CORE, "2024/25 Base growth (%)", scale=1.0)  # stored as a fraction


def specialised_2024_25() -> float:
    """£bn: the 2023/24 specialised total rolled forward to 2024/25 by NHS England's base allocation growth."""
    return SPECIALISED_2023_24 * (1.0 + nhs_base_growth())


def specialised_delegable() -> float:
    """£bn: the 2024/25 recurrent baseline of the specialised services delegated to every ICB from April 2025
    (physical health + mental health, NHS England's 2025/26 allocation files)."""
    return _england(SPEC_BASE, SPEC_COL)


def council_outturn_2023_24() -> dict[str, float]:
    """£bn: councils' 2023/24 net current expenditure on adult social care and on wider health-creating services
    (housing general fund + culture), England row of the shipped revenue outturn."""
    df = data.load(RSX)
    row = df[(df["class"] == "Eng") & (df["financial_year"] == "2023-24")].iloc[0]
    col = {c: float(row[c]) / 1e6 for c in ("RSX-asc-net-cur-exp", "RSX-hous-net-cur-exp", "RSX-cul-net-cur-exp")}
    return {
        "adult_social_care": col["RSX-asc-net-cur-exp"],
        "wider_determinants": col["RSX-hous-net-cur-exp"] + col["RSX-cul-net-cur-exp"],
    }


def reconciliation(params: Any = None) -> pd.DataFrame:
    """line | devocare | published | source (£bn, 2024/25 unless the source says otherwise)."""
    from devocare.simulation.parameters import defaults

    p = params or defaults()
    pub = published()

    def d(path: str) -> float:
        return float(p[f"demand.{path}"])

    emergency = float(p["admissions.count"]) * float(p["admissions.unit_cost"]) / 1e9
    values = {
        path: float(p[path]) for line in ("specialised_national", "specialised_delegated") for path in spend_paths(line)
    }
    spec = {
        line: float(base_year_spend(values, line)) / 1e9 for line in ("specialised_national", "specialised_delegated")
    }
    council = council_outturn_2023_24()
    rows = [
        (
            "ICB core services (combined allocation) + running costs",
            sum(d(x) for x in CORE_LINES),
            pub["core"] + pub["running"],
            f"datasets {CORE} (combined allocation) and {RUNNING}; devocare: acute (elective "
            f"{d('spend.acute_elective'):.3f} + emergency {emergency:.3f}), mental health, community health, "
            "prescribing",
        ),
        (
            "ICB primary medical care + other primary care (pharmacy, optometry, dental)",
            d("spend.primary_medical"),
            pub["primary_medical"] + pub["other_primary_care"],
            f"datasets {PMC} and {OTHER_PC} (incl. £0.114bn held by NHS England regions); devocare: primary care",
        ),
        (
            "All ICB allocation lines above",
            sum(d(x) for x in CORE_LINES) + d("spend.primary_medical"),
            sum(pub.values()),
            "sum of the rows above; the House of Commons Library headline is £127.2bn, which adds in-year "
            "allocations not in the shipped files (bibliography hoc-2024-icb-allocations)",
        ),
        (
            "Specialised commissioning (both specialised lines)",
            spec["specialised_national"] + spec["specialised_delegated"],
            specialised_2024_25(),
            f"parliamentary answer, 2023/24 £{SPECIALISED_2023_24:.1f}bn, the latest total published (bibliography "
            f"pq-2024-specialised), × {1 + nhs_base_growth():.4f}, NHS England's base cash growth of ICB core "
            f"allocations for 2024/25 (dataset {CORE}; that specialised spend grew with it is an assumption); "
            "split between the lines by specialised.national_share",
        ),
        (
            "of which delegable to ICBs: the services delegated to every ICB from April 2025, 2024/25 baseline",
            spec["specialised_delegated"],
            specialised_delegable(),
            f"dataset {SPEC_BASE} (physical health £13.318bn + mental health £2.035bn); who holds the line is an "
            "architecture's choice: ICBs in the status quo, combined authorities in the reforms",
        ),
        (
            "of which delegated to ICBs in 2024/25 (three regions)",
            float(p.value_for_year("specialised.delegated_to_icbs", 2024)),
            5.3,
            "bibliography pq-2024-specialised and nhsconfed-2025-specialised; from 2025-04-01 the parameter "
            "takes £15.872bn (dataset nhse_icb_allocations_2025_26_specialised_allocations_2025_26)",
        ),
        (
            "Adult social care, councils' net current expenditure (2023/24 outturn × 1.075)",
            d("spend.adult_social_care"),
            council["adult_social_care"] * (1 + COUNCIL_ROLL_FORWARD),
            f"dataset {RSX}, 2023/24 £{council['adult_social_care']:.3f}bn (latest outturn shipped), rolled "
            "forward to 2024/25 by the 7.5% cash rise in councils' core spending power (bibliography "
            "mhclg-lgfs-2024; an assumption that the line grows with it); includes the improved Better Care "
            "Fund grant and councils' own funding",
        ),
        (
            "Public health grant",
            d("spend.public_health"),
            3.603,
            "DHSC public health grant allocations 2024/25 (bibliography dhsc-2023-ph-grant; the 2024/25 "
            "statement gives £3.603bn)",
        ),
        (
            "Wider health-creating services (housing general fund, cultural services; 2023/24 outturn × 1.075)",
            d("spend.wider_determinants"),
            council["wider_determinants"] * (1 + COUNCIL_ROLL_FORWARD),
            f"dataset {RSX}, 2023/24 £{council['wider_determinants']:.3f}bn, rolled forward as adult social "
            "care (bibliography mhclg-lgfs-2024)",
        ),
        (
            "Better Care Fund: minimum NHS contribution (inside ICB core, counted above)",
            float(p["bcf.nhs_minimum"]),
            float(p["bcf.nhs_minimum"]),
            "bibliography nhse-bcf; 2024/25 derived from the 2025/26 £5.614bn (assumption label); part of the ICB "
            "row; the only part of the fund that pooling moves out of NHS budgets",
        ),
        (
            "Better Care Fund: grant to councils (iBCF)",
            float(p["bcf.council_grant"]),
            2.14,
            "bibliography nhse-bcf; part of councils' adult social care spending above",
        ),
        (
            "Better Care Fund: Disabled Facilities Grant (capital, outside the revenue lines)",
            float(p["bcf.disabled_facilities_grant"]),
            0.711,
            "bibliography pq-2025-dfg",
        ),
    ]
    return pd.DataFrame(rows, columns=["line", "devocare", "published", "source"])


def markdown(params: Any = None) -> str:
    """The reconciliation as a Markdown table (£bn, three decimals)."""
    table = reconciliation(params)
    lines = ["| line | devocare (£bn) | published (£bn) | source |", "|---|---:|---:|---|"]
    for row in table.itertuples(index=False):
        lines.append(f"| {row.line} | {row.devocare:.3f} | {row.published:.3f} | {row.source} |")
    return "\n".join(lines) + "\n"
