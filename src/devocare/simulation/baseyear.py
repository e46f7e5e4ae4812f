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

CORE = "nhse_icb_allocations_2023_25_icb_core_allocations_2024_25"
CORE_COL = "2024/25 Combined allocation (inc. COVID, additional elective and discharge) (£k)"
RUNNING = "nhse_icb_allocations_2023_25_icb_running_cost_allowance"
PMC = "nhse_icb_allocations_2023_25_pmc_allocations_2024_25"
OTHER_PC = "nhse_icb_allocations_2023_25_other_primary_care"
#: Lines funded by ICB core services and running-cost allocations.
CORE_LINES = ("acute_spend", "spend.mental_health", "spend.community_health", "spend.prescribing")


def _england(dataset: str, column: str) -> float:
    df = data.load(dataset)
    return float(df.loc[df["level"] == "England", column].iloc[0]) / 1e6  # £k → £bn


def published() -> dict[str, float]:
    """Published 2024/25 ICB allocation streams, £bn, from the shipped NHS England files."""
    return {
        "core": _england(CORE, CORE_COL),
        "running": _england(RUNNING, "2024/25 £k"),
        "primary_medical": _england(PMC, "2024/25 Recurrent allocation (£k)"),
        "other_primary_care": _england(OTHER_PC, "2024/25 Recurrent allocation £k"),
    }


def reconciliation(params: Any = None) -> pd.DataFrame:
    """line | devocare | published | source (£bn, 2024/25 unless the source says otherwise)."""
    from devocare.simulation.parameters import defaults

    p = params or defaults()
    pub = published()

    def d(path: str) -> float:
        return float(p[f"demand.{path}"])

    emergency = float(p["admissions.count"]) * float(p["admissions.unit_cost"]) / 1e9
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
            "allocations not in the shipped files (bibliography HOCL-CBP10031)",
        ),
        (
            "Specialised commissioning (NHS England; £5.3bn delegated to ICBs in 2024/25, about £14bn from 2025/26)",
            d("spend.specialised"),
            25.0,
            "parliamentary answer, 2023/24 (latest published; EVIDENCE.md §9, bibliography PQ-SPEC-2024); "
            "who holds the delegated part is an architecture's choice",
        ),
        (
            "of which delegated to ICBs (2024/25: three regions; from 2025/26 all ICBs)",
            float(p.value_for_year("specialised.delegated_to_icbs", 2024)),
            5.3,
            "EVIDENCE.md §9 (bibliography PQ-SPEC-2024); from 2025-04-01 the parameter takes £15.872bn "
            "(dataset nhse_icb_allocations_2025_26_specialised_allocations_2025_26)",
        ),
        (
            "Adult social care, councils' net current expenditure",
            d("spend.adult_social_care"),
            23.498,
            "dataset mhclg_revenue_outturn_rsx_by_la_2022_23_2023_24, 2023/24 (latest outturn shipped); includes "
            "the improved Better Care Fund grant and councils' own funding",
        ),
        (
            "Public health grant",
            d("spend.public_health"),
            3.603,
            "DHSC public health grant allocations 2024/25 (bibliography DHSC-PHG)",
        ),
        (
            "Wider health-creating services (housing general fund, cultural services)",
            d("spend.wider_determinants"),
            5.490,
            "dataset mhclg_revenue_outturn_rsx_by_la_2022_23_2023_24, 2023/24",
        ),
        (
            "Better Care Fund: minimum NHS contribution (inside ICB core, counted above)",
            float(p["bcf.nhs_minimum"]),
            float(p["bcf.nhs_minimum"]),
            "bibliography NHSE-BCF; 2024/25 derived from the 2025/26 £5.614bn (assumption label); part of the ICB row",
        ),
        (
            "Better Care Fund: grant to councils (iBCF)",
            float(p["bcf.council_grant"]),
            2.14,
            "bibliography NHSE-BCF; part of councils' adult social care spending above",
        ),
        (
            "Better Care Fund: Disabled Facilities Grant (capital, outside the revenue lines)",
            float(p["bcf.disabled_facilities_grant"]),
            0.711,
            "bibliography PQ-DFG-2025",
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
