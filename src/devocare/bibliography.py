"""The bibliography every built-in architecture and default cites: one key per reference, with its author or
publisher, title, year and where it is online.

A source string in an architecture starts with one of these keys (``reform-2024 §4.3.1 (...)``), so a reader of
the repository can follow every citation to a document; ``docs/background/bibliography.md`` is generated from
this table (:func:`to_markdown`) and a test keeps the two identical. Entries of kind ``derived`` are our own
arithmetic on cited inputs: they name the inputs (other keys) and the calculation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """One entry: who wrote or published it, what it is called, when, and where to read it."""

    key: str
    kind: str  # source-document | official | research | news | derived
    author: str
    title: str
    year: str
    where: str  # web address, or where the calculation is stated
    note: str = ""


KINDS: dict[str, str] = {
    "source-document": "Source documents (the systems the built-in architectures encode)",
    "official": "Official publications, statistics and parliamentary material",
    "research": "Research, think-tank and sector analysis",
    "news": "News and trade reports",
    "derived": "Derived figures (our arithmetic on cited inputs)",
}

_R = Reference
REFERENCES: tuple[Reference, ...] = (
    # --- source documents -------------------------------------------------------------------------------
    _R("reform-2024", "source-document", "Beacon, Rosie (Reform)",
       "Close Enough to Care: A new structure for the English health and care system", "2024 (March)",
       "https://reform.uk/publications/close-enough-to-care/",
       "The main source. Section numbers (§2.1.1, §4.3.1, ...) and Figures 3, 4 and 10 refer to this paper; "
       "Recommendations 1 and 2 are its reformed centre and its combined-authority options."),
    _R("pwc-2016", "source-document", "PwC UK (Public Sector Matters blog)",
       "Redrawing the health and social care architecture", "2016 (3 November)",
       "http://pwc.blogs.com/publicsectormatters/2016/11/redrawing-the-health-and-social-care-architecture.html",
       "Announces PwC's report of the same name: a Care Management Board merging NHS England and NHS "
       "Improvement, STPs as system managers, Regional Care Groups commissioning health and social care with "
       "local tax-raising powers. The built-in that encodes it keeps its historical id `deloitte-2016`; the "
       "publisher is PwC."),
    _R("ham-2017", "source-document", "Ham, Chris (The King's Fund)",
       "Streamlining the organisation of the NHS without a top-down reorganisation", "2017 (September)",
       "https://www.kingsfund.org.uk/blog/2017/09/streamlining-organisation-nhs-without-top-down-reorganisation",
       "Encoded by the built-in `kingsfund-2017`."),
    _R("ldh-2020", "source-document", "Local Democracy and Health (blog; the copy held names no author)",
       "Reorganising the NHS (again): a failure of ambition, understanding and imagination?", "2020 (28 December)",
       "https://localdemocracyandhealth.com/",
       "A response to NHS England's Integrating Care proposals (November 2020); encoded by "
       "`place-accountability-2020`. Attributed to the site from its address, style and Sheffield examples."),
    _R("dhsc-2021", "source-document", "Department of Health and Social Care",
       "Government announces blueprint for NHS and social care reform (press release on the white paper "
       "Integration and innovation: working together to improve health and social care for all, CP 381)",
       "2021 (11 February)",
       "https://www.gov.uk/government/news/government-announces-blueprint-for-nhs-and-social-care-reform",
       "Encoded by `white-paper-2021`."),
    # --- official ---------------------------------------------------------------------------------------
    _R("nhse-abolition-2025", "official", "Prime Minister's Office and DHSC; House of Commons statement",
       "NHS England to be abolished and its functions brought into the Department of Health and Social Care",
       "2025 (13 March)", "https://www.gov.uk/government/news/",
       "The announcement behind `ten-year-plan-2025`: the merger over about two years and a combined DHSC and "
       "NHS England headcount of about 18,600 (NHS England ~15,300, DHSC ~3,300) to be halved by March 2028; "
       "figures as reported by Personnel Today (https://www.personneltoday.com/hr/nhs-england-worlds-largest-"
       "quango-to-be-abolished/) and Civil Service World (https://www.civilserviceworld.com/)."),
    _R("icb-reform-2025", "official", "Minister of State for Health (written statement to Parliament); NHS England",
       "Integrated care boards: running costs and boundary alignment with strategic authorities", "2025 (9 September)",
       "https://questions-statements.parliament.uk/written-statements",
       "ICB running costs cut by 50% and ICBs recast as strategic commissioners; 42 ICBs become 36 statutory "
       "ICBs from 1 April 2026 (the count matches NHS England's 2026/27 allocation files shipped as data)."),
    _R("lgfa-1992-s31a", "official", "UK Parliament (legislation.gov.uk)",
       "Local Government Finance Act 1992, section 31A: calculation of council tax requirement", "1992",
       "https://www.legislation.gov.uk/ukpga/1992/14/section/31A",
       "A council in England must set a budget in which its expenditure, allowances for contingencies and "
       "reserves are met by its income: the balanced-budget rule devocare applies to every council-held pot."),
    _R("lgfa-1988-s114", "official", "UK Parliament (legislation.gov.uk)",
       "Local Government Finance Act 1988, section 114: functions of responsible officer as regards reports",
       "1988", "https://www.legislation.gov.uk/ukpga/1988/41/section/114",
       "When a council's spending in a year is likely to exceed its resources, including reserves, its chief "
       "finance officer must report and new spending stops: a council meets its own overspend and recovers it "
       "by cutting spending; there is no NHS-style deficit support."),
    _R("dhsc-2025-10yhp", "official", "Department of Health and Social Care",
       "Fit for the future: 10 Year Health Plan for England", "2025 (3 July)",
       "https://www.gov.uk/government/publications/10-year-health-plan-for-england-fit-for-the-future",
       "The three shifts (hospital to community, analogue to digital, sickness to prevention), neighbourhood "
       "health services and Integrated Health Organisations holding a population's health budget. The plan "
       "sets no numeric target for the hospital share of spending."),
    _R("pq-2024-specialised", "official", "Department of Health and Social Care (answer to a written "
       "parliamentary question)", "Specialised commissioning expenditure, 2022/23 and 2023/24", "2024 (May)",
       "https://questions-statements.parliament.uk/written-questions",
       "£25.0bn in 2023/24 (£22.7bn in 2022/23)."),
    _R("nhsconfed-2025-specialised", "research", "NHS Confederation",
       "Vision for specialised commissioning (delegation of specialised services to ICBs)", "2025",
       "https://www.nhsconfed.org/publications/vision-specialised-commissioning",
       "From April 2025 about 70 specialised services worth some £14bn a year are delegated to all ICBs "
       "(after £5.3bn in three regions in 2024/25); highly specialised services stay national."),
    _R("phe-2021", "official", "Department of Health and Social Care",
       "Transforming the public health system: reforming the public health system for the challenges of our "
       "times", "2021",
       "https://www.gov.uk/government/publications/transforming-the-public-health-system",
       "Public Health England closed on 30 September 2021; the UK Health Security Agency and the Office for "
       "Health Improvement and Disparities took on its functions from 1 October 2021."),
    _R("mhclg-names", "official", "GOV.UK (organisation page of the Ministry of Housing, Communities and "
       "Local Government)", "Ministry of Housing, Communities and Local Government: names since 2018", "2024",
       "https://www.gov.uk/government/organisations/ministry-of-housing-communities-local-government",
       "The Department for Communities and Local Government became MHCLG on 8 January 2018, the Department for "
       "Levelling Up, Housing and Communities on 19 September 2021, and MHCLG again on 8 July 2024."),
    _R("hssib-2023", "official", "Health Services Safety Investigations Body",
       "About HSSIB (Health and Care Act 2022, Part 4)", "2023", "https://www.hssib.org.uk/",
       "The Healthcare Safety Investigation Branch ran from April 2017, hosted by NHS Improvement, without a "
       "statutory basis; HSSIB replaced it as a statutory body on 1 October 2023."),
    _R("dhsc-2023-ph-grant", "official", "Department of Health and Social Care",
       "Public health grants to local authorities: 2023 to 2024", "2023",
       "https://www.gov.uk/government/publications/public-health-grants-to-local-authorities-2023-to-2024",
       "£3.529bn ring-fenced grant in 2023/24."),
    _R("nhse-2024-asc-finance", "official", "NHS England (statistics)",
       "Adult Social Care Activity and Finance Report, England, 2023-24", "2024",
       "https://digital.nhs.uk/data-and-information/publications/statistical/adult-social-care-activity-and-"
       "finance-report/2023-24",
       "Councils' gross current spending £27.1bn; net current expenditure £23.3bn (the net figure is from the "
       "local authority revenue outturn, shipped as data mhclg_revenue_outturn_rsx_by_la_2022_23_2023_24)."),
    _R("nhse-bcf", "official", "NHS England", "Better Care Fund: grants and funding", "2015–2025",
       "https://www.england.nhs.uk/ourwork/part-rel/transformation-fund/better-care-fund/",
       "Pooled NHS and council budget in every Health and Wellbeing Board area since April 2015 (minimum "
       "pool £5.3bn in 2015/16); about £7.2bn in the 2022-23 policy framework and about £9.0bn in 2025/26."),
    _R("hoc-2024-icb-allocations", "official", "House of Commons Library",
       "NHS funding and ICB allocations 2024/25 (research briefing CBP-10031)", "2024",
       "https://commonslibrary.parliament.uk/research-briefings/cbp-10031/",
       "ICB allocations £127.2bn in 2024/25, of which core services £107.6bn and primary medical care £11.2bn."),
    _R("nao-2018-emergency", "official", "National Audit Office", "Reducing emergency admissions", "2018",
       "https://www.nao.org.uk/reports/reducing-emergency-admissions/",
       "£13.7bn cost of emergency admissions in 2015-16; about a quarter judged avoidable."),
    _R("nhsd-hes-2023", "official", "NHS Digital",
       "Provisional monthly Hospital Episode Statistics for admitted patient care, April–December 2023", "2024",
       "https://digital.nhs.uk/data-and-information/publications/statistical/provisional-monthly-hospital-"
       "episode-statistics-for-admitted-patient-care-outpatient-and-accident-and-emergency-data",
       "About 0.54 million emergency admission episodes a month in 2023."),
    _R("ism-2018-bloktilskud", "official", "Danish Ministry of the Interior and Health",
       "Generelle tilskud til regionerne 2019 (general grants to the regions)", "2018",
       "https://www.ism.dk/", "State health block grant to the regions, DKK 96.9bn in 2019."),
    _R("regionh-cofinancing", "official", "Capital Region of Denmark (Region Hovedstaden)",
       "Joint financing by the municipalities", "c. 2017",
       "https://www.regionh.dk/english/about-the-capital-region/Finance/Pages/Joint-financing-by-the-"
       "municipalities.aspx",
       "Municipalities paid 34% of the DRG tariff for each somatic admission of a resident (flat model, capped "
       "per admission) before the 2018 age-differentiated rates."),
    _R("danske-regioner-proximity", "official", "Danske Regioner (Danish Regions)",
       "Nærhedsfinansiering (proximity financing)", "2019–2021",
       "https://www.regioner.dk/aftaler-og-oekonomi/oekonomisk-styring/finansiering/naerhedsfinansiering/",
       "A DKK 1.5bn a year fund released to regions on criteria: fewer hospital courses per citizen, less "
       "hospital activity per chronic patient, fewer 30-day readmissions, more virtual courses."),
    # --- research ---------------------------------------------------------------------------------------
    _R("nuffield-2024-nhs-money", "research", "Nuffield Trust", "Where does the NHS money go?", "2024",
       "https://www.nuffieldtrust.org.uk/resource/where-does-the-nhs-money-go",
       "Real growth by sector 2016/17–2022/23: acute 4.4% a year, community 0.5%, total 3.1%; community share "
       "8% → 7%, public health grant 3.6% → 2.3%."),
    _R("hsj-2013-sector-shares", "news", "Health Service Journal (from Department of Health data)",
       "Revealed: hospitals' share of spend grows as GPs' slice shrinks", "2013",
       "https://www.hsj.co.uk/finance-and-efficiency/revealed-hospitals-share-of-spend-grows-as-gps-slice-"
       "shrinks/5063034.article",
       "Sector shares of £91.7bn PCT spending in 2012/13 (hospitals 51%, mental health 11.1%, community 10.6%, "
       "prescribing 8.6%, general practice 8.6%)."),
    _R("liebman-mahoney-2017", "research", "Liebman, Jeffrey B. and Mahoney, Neale",
       "Do Expiring Budgets Lead to Wasteful Year-End Spending? Evidence from Federal Procurement "
       "(American Economic Review 107(11): 3510–3549)", "2017",
       "https://www.aeaweb.org/articles?id=10.1257/aer.20131296",
       "Budgets that lapse at the end of the year are spent: US federal spending surges in the last week of the "
       "fiscal year. devocare's reason for every holder spending the money it is given beyond its need."),
    _R("hf-2019-emergency", "research", "The Health Foundation",
       "Emergency admissions: part one — what are the pressures?", "2019",
       "http://reader.health.org.uk/emergency-admissions/part-one-what-are-the-pressures",
       "6.02 million emergency admissions in 2017/18; £17.0bn cost in 2016/17."),
    _R("brookdale-capping", "research", "Myers-JDC-Brookdale Institute",
       "Hospital utilization and expenditure of the Israeli health plans in the era of health care reform",
       "c. 2018",
       "https://brookdale.jdc.org.il/en/publication/hospital-utilization-expenditure-israeli-health-plans-"
       "era-health-care-reform/",
       "Israel's revenue caps on health-plan payments to hospitals since the mid-1990s; the 2017–2019 "
       "agreement withheld 40% of revenue above a hospital's cap."),
    # --- derived ----------------------------------------------------------------------------------------
    _R("emergency-admissions-cost", "derived", "devocare",
       "Cost of emergency admissions, England 2023/24: about £22bn", "2023/24",
       "6.4 million admissions (nhsd-hes-2023, 0.54 million a month × 12) × £3,500 (nao-2018-emergency and "
       "hf-2019-emergency totals per admission, £2,450–£2,930 in 2015-17, uplifted by about 30% for NHS cost "
       "inflation — the uplift is an assumption)."),
    _R("sector-split-2024", "derived", "devocare",
       "Current split of NHS commissioned spending by sector, England 2023/24", "2023/24",
       "The 2012/13 shares (hsj-2013-sector-shares) rolled forward with each sector's real growth "
       "(nuffield-2024-nhs-money): acute 55%, mental health 11%, community 7%, general practice 8%, "
       "prescribing 9%, other primary care 6%, other 4%. An assumption: no current official split exists."),
    _R("specialised-remainder-2025", "derived", "devocare",
       "Share of specialised commissioning spend kept nationally after the April 2025 delegation: 0.44", "2025/26",
       "(£25.0bn specialised spend, pq-2024-specialised − about £14bn delegated to ICBs, "
       "nhsconfed-2025-specialised) ÷ £25.0bn = 0.44; ICBs hold the other 0.56. Spend shares, not service "
       "counts."),
    _R("danish-incentive-fund", "derived", "devocare",
       "Denmark's incentive fund as a share of regional health funding: about 1.2%", "2019",
       "DKK 1.5bn (danske-regioner-proximity) ÷ the DKK 96.9bn state block grant (ism-2018-bloktilskud) = 1.5% "
       "of the block grant; the block grant is about three-quarters of regional income, so about 1.2% of all."),
    _R("israel-capping", "derived", "devocare",
       "Marginal price of hospital activity above a volume cap: 60% of tariff", "2017–2019",
       "One minus the 40% deduction on over-cap revenue in Israel's 2017–2019 agreement (brookdale-capping). "
       "An assumption when used as the price of English activity above a cap."),
)

_BY_KEY: dict[str, Reference] = {r.key: r for r in REFERENCES}


def keys() -> frozenset[str]:
    """Every bibliography key."""
    return frozenset(_BY_KEY)


def get(key: str) -> Reference:
    """The reference with this key (KeyError if none)."""
    return _BY_KEY[key]


def cited_key(source: str) -> str | None:
    """The bibliography key a source string starts with (``reform-2024 §4.3.1 (...)`` → ``reform-2024``)."""
    head = source.split(" ", 1)[0].rstrip(",;:")
    return head if head in _BY_KEY else None


def to_markdown() -> str:
    """``docs/background/bibliography.md``: every reference by kind, in the order above."""
    out = [
        "# Bibliography",
        "",
        "Every source a built-in architecture or a default cites, by key. In an architecture file a source such as",
        "`reform-2024 §4.3.1 (block grants for at least five years)` starts with one of these keys; the rest names",
        "the place in the document. Derived figures are our own arithmetic and name their inputs by key.",
        "The sections up to *Model validity* are generated from `src/devocare/bibliography.py` (a test keeps",
        "them identical to it, and architecture files may cite only their keys); the parameters' sources under",
        "*Model validity* use upper-case keys and are maintained by hand.",
        "",
    ]
    for kind, heading in KINDS.items():
        refs = [r for r in REFERENCES if r.kind == kind]
        if not refs:
            continue
        out += [f"## {heading}", ""]
        for r in refs:
            if kind == "derived":
                out.append(f"- `{r.key}` — {r.title} ({r.year}). {r.where}")
            else:
                line = f"- `{r.key}` — {r.author}. *{r.title}*. {r.year}. <{r.where}>"
                out.append(line + (f" {r.note}" if r.note else ""))
        out.append("")
    return "\n".join(out)
