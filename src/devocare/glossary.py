"""Words users meet in devocare's pages and tables that are not measures: bodies, funding terms and codes.

The glossary page of the web app and the measures reference show these beside the measure registry."""

from __future__ import annotations

TERMS: tuple[tuple[str, str], ...] = (
    (
        "ACO",
        "Accountable Care Organisation: one body holds one budget for a population's care, keeps savings "
        "and bears overspends.",
    ),
    (
        "BCF",
        "Better Care Fund: NHS and council money pooled locally and spent on plans the Health and Wellbeing "
        "Board approves.",
    ),
    (
        "CA",
        "Combined authority: councils working together, usually under an elected mayor; the Greater London "
        "Authority plays the same part in London.",
    ),
    (
        "Co-financing",
        "The local tier pays part of the cost of each hospital admission of its residents, up to a "
        "cap per admission, so it gains when prevention avoids one (the Danish model).",
    ),
    ("DHSC", "Department of Health and Social Care, the Secretary of State's department."),
    (
        "Draw",
        "One Monte Carlo run with one set of uncertain parameters; draw 0 is the central run with central values.",
    ),
    ("HWB", "Health and Wellbeing Board: a statutory committee of each upper-tier council."),
    (
        "ICB / ICP / ICS",
        "Integrated Care Board (the statutory NHS body holding the budget), Integrated Care "
        "Partnership (the NHS and councils' strategy committee); together an Integrated Care "
        "System. 42 from 2022, 36 from April 2026.",
    ),
    (
        "IHO",
        "Integrated Health Organisation: an NHS trust holding the whole health budget for a population "
        "(10 Year Health Plan, 2025).",
    ),
    (
        "LAD / UTLA",
        "Local authority district (296 in England) and upper-tier local authority (counties, "
        "unitaries, metropolitan districts and London boroughs), which run social care and public "
        "health.",
    ),
    ("LSOA", "Lower layer super output area: about 1,500 residents; the smallest areas the simulator can use."),
    ("MSL", "Minimum service level: the least need-adjusted spend on a service line every area must get."),
    (
        "Need / need index",
        "Population weighted for age, need and unmet need by NHS England's allocation "
        "formula; the index is weighted population per head relative to England.",
    ),
    ("NHSE", "NHS England, the body that has run the NHS day to day; being merged into DHSC from 2025."),
    (
        "Paired difference",
        "A reform's result minus the baseline's in the same draw (same seed), so the "
        "difference shows what the reform changes rather than what chance does.",
    ),
    ("PCN", "Primary Care Network: groups of GP practices serving 30,000 to 50,000 people."),
    ("pmc", "Primary medical care: NHS England's allocation line for general practice."),
    (
        "pod",
        "Pharmacy, optometry and dental services: NHS England's allocation line for the services it delegates to ICBs.",
    ),
    (
        "P5 / P50 / P95",
        "The 5th, 50th (median) and 95th percentiles over the Monte Carlo draws: 90% of draws lie between P5 and P95.",
    ),
    (
        "Population (two kinds)",
        "Pages show ONS mid-year residents for areas, and GP-registered (weighted) "
        "populations where NHS allocations are involved; the two differ because people "
        "register with practices outside the area they live in.",
    ),
    (
        "Upstream spend",
        "Spend on public health, community health, primary care and wider health-creating "
        "services: what prevention works through.",
    ),
)
