"""The bibliography every built-in architecture and default cites: one key per reference, with its author or
publisher, title, year and where it is online.

A source string in an architecture starts with one of these keys (``reform-2024 §4.3.1 (...)``), so a reader of
the repository can follow every citation to a document; ``docs/background/bibliography.md`` is generated from
this table (:func:`to_markdown`) and a test keeps the two identical. Entries of kind ``derived`` are our own
arithmetic on cited inputs: they name the inputs (other keys) and the calculation.
"""

from __future__ import annotations

import re
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
    _R(
        "reform-2024",
        "source-document",
        "Beacon, Rosie (Reform)",
        "Close Enough to Care: A new structure for the English health and care system",
        "2024 (March)",
        "https://reform.uk/publications/close-enough-to-care/",
        "The main source. Section numbers (§2.1.1, §4.3.1, ...) and Figures 3, 4 and 10 refer to this paper; "
        "Recommendations 1 and 2 are its reformed centre and its combined-authority options.",
    ),
    _R(
        "pwc-2016",
        "source-document",
        "PwC UK (Public Sector Matters blog)",
        "Redrawing the health and social care architecture",
        "2016 (3 November)",
        "http://pwc.blogs.com/publicsectormatters/2016/11/redrawing-the-health-and-social-care-architecture.html",
        "Announces PwC's report of the same name: a Care Management Board merging NHS England and NHS "
        "Improvement, STPs as system managers, Regional Care Groups commissioning health and social care with "
        "local tax-raising powers. The built-in that encodes it keeps its historical id `deloitte-2016`; the "
        "publisher is PwC.",
    ),
    _R(
        "ham-2017",
        "source-document",
        "Ham, Chris (The King's Fund)",
        "Streamlining the organisation of the NHS without a top-down reorganisation",
        "2017 (September)",
        "https://www.kingsfund.org.uk/blog/2017/09/streamlining-organisation-nhs-without-top-down-reorganisation",
        "Encoded by the built-in `kingsfund-2017`.",
    ),
    _R(
        "ldh-2020",
        "source-document",
        "Local Democracy and Health (blog; the copy held names no author)",
        "Reorganising the NHS (again): a failure of ambition, understanding and imagination?",
        "2020 (28 December)",
        "https://localdemocracyandhealth.com/",
        "A response to NHS England's Integrating Care proposals (November 2020); encoded by "
        "`place-accountability-2020`. Attributed to the site from its address, style and Sheffield examples.",
    ),
    _R(
        "dhsc-2021",
        "source-document",
        "Department of Health and Social Care",
        "Government announces blueprint for NHS and social care reform (press release on the white paper "
        "Integration and innovation: working together to improve health and social care for all, CP 381)",
        "2021 (11 February)",
        "https://www.gov.uk/government/news/government-announces-blueprint-for-nhs-and-social-care-reform",
        "Encoded by `white-paper-2021`.",
    ),
    # --- official ---------------------------------------------------------------------------------------
    _R(
        "nhse-abolition-2025",
        "official",
        "Prime Minister's Office and DHSC; House of Commons statement",
        "NHS England to be abolished and its functions brought into the Department of Health and Social Care",
        "2025 (13 March)",
        "https://www.gov.uk/government/news/",
        "The announcement behind `ten-year-plan-2025`: the merger over about two years and a combined DHSC and "
        "NHS England headcount of about 18,600 (NHS England ~15,300, DHSC ~3,300) to be halved by March 2028; "
        "figures as reported by Personnel Today (https://www.personneltoday.com/hr/nhs-england-worlds-largest-"
        "quango-to-be-abolished/) and Civil Service World (https://www.civilserviceworld.com/).",
    ),
    _R(
        "icb-reform-2025",
        "official",
        "Minister of State for Health (written statement to Parliament); NHS England",
        "Integrated care boards: running costs and boundary alignment with strategic authorities",
        "2025 (9 September)",
        "https://questions-statements.parliament.uk/written-statements",
        "ICB running costs cut by 50% and ICBs recast as strategic commissioners; 42 ICBs become 36 statutory "
        "ICBs from 1 April 2026 (the count matches NHS England's 2026/27 allocation files shipped as data).",
    ),
    _R(
        "lgfa-1992-s31a",
        "official",
        "UK Parliament (legislation.gov.uk)",
        "Local Government Finance Act 1992, section 31A: calculation of council tax requirement",
        "1992",
        "https://www.legislation.gov.uk/ukpga/1992/14/section/31A",
        "A council in England must set a budget in which its expenditure, allowances for contingencies and "
        "reserves are met by its income: the balanced-budget rule devocare applies to every council-held pot.",
    ),
    _R(
        "lgfa-1988-s114",
        "official",
        "UK Parliament (legislation.gov.uk)",
        "Local Government Finance Act 1988, section 114: functions of responsible officer as regards reports",
        "1988",
        "https://www.legislation.gov.uk/ukpga/1988/41/section/114",
        "When a council's spending in a year is likely to exceed its resources, including reserves, its chief "
        "finance officer must report and new spending stops: a council meets its own overspend and recovers it "
        "by cutting spending; there is no NHS-style deficit support.",
    ),
    _R(
        "dhsc-2025-10yhp",
        "official",
        "Department of Health and Social Care",
        "Fit for the future: 10 Year Health Plan for England",
        "2025 (3 July)",
        "https://www.gov.uk/government/publications/10-year-health-plan-for-england-fit-for-the-future",
        "The three shifts (hospital to community, analogue to digital, sickness to prevention), neighbourhood "
        "health services and Integrated Health Organisations holding a population's health budget. The plan "
        "sets no numeric target for the hospital share of spending.",
    ),
    _R(
        "pq-2024-specialised",
        "official",
        "Department of Health and Social Care (answer to a written parliamentary question)",
        "Specialised commissioning expenditure, 2022/23 and 2023/24",
        "2024 (May)",
        "https://questions-statements.parliament.uk/written-questions",
        "£25.0bn in 2023/24 (£22.7bn in 2022/23).",
    ),
    _R(
        "nhsconfed-2025-specialised",
        "research",
        "NHS Confederation",
        "Vision for specialised commissioning (delegation of specialised services to ICBs)",
        "2025",
        "https://www.nhsconfed.org/publications/vision-specialised-commissioning",
        "From April 2025 about 70 specialised services worth some £14bn a year are delegated to all ICBs "
        "(after £5.3bn in three regions in 2024/25); highly specialised services stay national.",
    ),
    _R(
        "phe-2021",
        "official",
        "Department of Health and Social Care",
        "Transforming the public health system: reforming the public health system for the challenges of our times",
        "2021",
        "https://www.gov.uk/government/publications/transforming-the-public-health-system",
        "Public Health England closed on 30 September 2021; the UK Health Security Agency and the Office for "
        "Health Improvement and Disparities took on its functions from 1 October 2021.",
    ),
    _R(
        "mhclg-names",
        "official",
        "GOV.UK (organisation page of the Ministry of Housing, Communities and Local Government)",
        "Ministry of Housing, Communities and Local Government: names since 2018",
        "2024",
        "https://www.gov.uk/government/organisations/ministry-of-housing-communities-local-government",
        "The Department for Communities and Local Government became MHCLG on 8 January 2018, the Department for "
        "Levelling Up, Housing and Communities on 19 September 2021, and MHCLG again on 8 July 2024.",
    ),
    _R(
        "hssib-2023",
        "official",
        "Health Services Safety Investigations Body",
        "About HSSIB (Health and Care Act 2022, Part 4)",
        "2023",
        "https://www.hssib.org.uk/",
        "The Healthcare Safety Investigation Branch ran from April 2017, hosted by NHS Improvement, without a "
        "statutory basis; HSSIB replaced it as a statutory body on 1 October 2023.",
    ),
    _R(
        "dhsc-2023-ph-grant",
        "official",
        "Department of Health and Social Care",
        "Public health grants to local authorities: 2023 to 2024",
        "2023",
        "https://www.gov.uk/government/publications/public-health-grants-to-local-authorities-2023-to-2024",
        "£3.529bn ring-fenced grant in 2023/24.",
    ),
    _R(
        "nhse-2024-asc-finance",
        "official",
        "NHS England (statistics)",
        "Adult Social Care Activity and Finance Report, England, 2023-24",
        "2024",
        "https://digital.nhs.uk/data-and-information/publications/statistical/adult-social-care-activity-and-"
        "finance-report/2023-24",
        "Councils' gross current spending £27.1bn; net current expenditure £23.3bn (the net figure is from the "
        "local authority revenue outturn, shipped as data mhclg_revenue_outturn_rsx_by_la_2022_23_2023_24).",
    ),
    _R(
        "mhclg-lgfs-2024",
        "official",
        "Department for Levelling Up, Housing and Communities (now MHCLG)",
        "Final local government finance settlement: England, 2024 to 2025",
        "2024 (5 February)",
        "https://www.gov.uk/government/collections/final-local-government-finance-settlement-england-2024-to-2025",
        "Councils' core spending power up to £64.7bn in 2024/25, a cash rise of up to £4.5bn or 7.5% on 2023/24 "
        "(the figure assumes every council raises council tax by the most it may). devocare rolls councils' "
        "2023/24 outturn forward to 2024/25 by this rise.",
    ),
    _R(
        "nhse-bcf",
        "official",
        "NHS England",
        "Better Care Fund: grants and funding",
        "2015–2025",
        "https://www.england.nhs.uk/ourwork/part-rel/transformation-fund/better-care-fund/",
        "Pooled NHS and council budget in every Health and Wellbeing Board area since April 2015 (minimum "
        "pool £5.3bn in 2015/16); about £7.2bn in the 2022-23 policy framework and about £9.0bn in 2025/26.",
    ),
    _R(
        "hoc-2024-icb-allocations",
        "official",
        "House of Commons Library",
        "NHS funding and ICB allocations 2024/25 (research briefing CBP-10031)",
        "2024",
        "https://commonslibrary.parliament.uk/research-briefings/cbp-10031/",
        "ICB allocations £127.2bn in 2024/25, of which core services £107.6bn and primary medical care £11.2bn.",
    ),
    _R(
        "nao-2018-emergency",
        "official",
        "National Audit Office",
        "Reducing emergency admissions",
        "2018",
        "https://www.nao.org.uk/reports/reducing-emergency-admissions/",
        "£13.7bn cost of emergency admissions in 2015-16; about a quarter judged avoidable.",
    ),
    _R(
        "nhsd-hes-2023",
        "official",
        "NHS Digital",
        "Provisional monthly Hospital Episode Statistics for admitted patient care, April–December 2023",
        "2024",
        "https://digital.nhs.uk/data-and-information/publications/statistical/provisional-monthly-hospital-"
        "episode-statistics-for-admitted-patient-care-outpatient-and-accident-and-emergency-data",
        "About 0.54 million emergency admission episodes a month in 2023.",
    ),
    _R(
        "dhsc-2024-ph-grant",
        "official",
        "Department of Health and Social Care",
        "Public health grants to local authorities: 2024 to 2025",
        "2024",
        "https://www.gov.uk/government/publications/public-health-grants-to-local-authorities-2024-to-2025",
        "£3.603bn ring-fenced grant in 2024/25 (£3.529bn in 2023/24), later raised slightly for pay; about "
        "£3.9bn in 2025/26.",
    ),
    _R(
        "pq-2025-dfg",
        "official",
        "Department of Health and Social Care (answer to a written parliamentary question on hospital discharges)",
        "Disabled Facilities Grant, 2024/25 and 2025/26",
        "2025",
        "https://questions-statements.parliament.uk/written-questions",
        "£625m of Disabled Facilities Grant paid in May 2024 plus an £86m in-year uplift; £711m kept for 2025/26.",
    ),
    _R(
        "nao-2013-transition",
        "official",
        "National Audit Office",
        "Managing the transition to the reformed health system (HC 537)",
        "2013 (July)",
        "https://www.nao.org.uk/reports/managing-the-transition-to-the-reformed-health-system/",
        "The 2012 reforms closed more than 170 bodies and created 240; they had cost £1.1bn by March 2013, 15% "
        "more than expected by then, of which redundancy was about 40% (about £435m for some 10,000 staff); the "
        "Department expected the total to stay within £1.7bn and administrative savings to outweigh it.",
    ),
    _R(
        "nhsd-2019-readmissions",
        "official",
        "NHS Digital",
        "Emergency readmissions published for first time in five years",
        "2019",
        "https://digital.nhs.uk/news/2019/emergency-readmissions-published-for-first-time-in-five-years",
        "30-day emergency readmissions were 13.8% of emergency admissions in 2017/18 (12.5% in 2013/14); 14.9% "
        "in the most deprived fifth of areas against 12.7% in the least deprived.",
    ),
    _R(
        "ons-snpp-2018",
        "official",
        "Office for National Statistics",
        "Population projections for local authorities: Table 2 (2018-based)",
        "2020",
        "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationprojections/"
        "datasets/localauthoritiesinenglandtable2",
        "Persons by local authority and five-year age band, mid-2018 to mid-2043 (shipped as "
        "ons_snpp2018_persons_age5_lad24_utla24_2018_2043). devocare uses its growth only, rebased to the "
        "mid-2024 estimates.",
    ),
    _R(
        "ons-mye-2024",
        "official",
        "Office for National Statistics",
        "Population estimates for England and Wales: mid-2024",
        "2025",
        "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
        "Shipped as ons_mye_population_total_england_1991_2024; age shares from the mid-2023 release "
        "(ons_mye_mid2023_age5_england_lad24_utla24).",
    ),
    _R(
        "nhse-2023-asc-finance",
        "official",
        "NHS England (statistics)",
        "Adult Social Care Activity and Finance Report, England, 2022-23",
        "2023",
        "https://digital.nhs.uk/data-and-information/publications/statistical/adult-social-care-activity-and-"
        "finance-report/2022-23",
        "Long-term support (£18.4bn gross) split about evenly between ages 18–64 and 65+: about £260 and £860 a "
        "head. Weights population growth by age for adult social care.",
    ),
    _R(
        "nhse-ae-monthly",
        "official",
        "NHS England (statistics)",
        "A&E Attendances and Emergency Admissions, monthly",
        "2022–2025",
        "https://www.england.nhs.uk/statistics/statistical-work-areas/ae-waiting-times-and-activity/",
        "System-level monthly emergency admissions, counted where the provider is (shipped as "
        "nhse_ae_emergency_admissions_icb_monthly_2022_04_2025_07); the observed side of the back-test.",
    ),
    _R(
        "ohid-catchment",
        "official",
        "Office for Health Improvement and Disparities",
        "NHS Acute (Hospital) Trust Catchment Populations",
        "2022",
        "https://www.gov.uk/government/publications/nhs-acute-hospital-trust-catchment-populations",
        "Share of each area's residents served by each acute trust (shipped as "
        "acute_trust_catchment_share_by_icb_ohid_2022); maps residents' admissions to providers in the "
        "back-test.",
    ),
    _R(
        "ism-2018-bloktilskud",
        "official",
        "Danish Ministry of the Interior and Health",
        "Generelle tilskud til regionerne 2019 (general grants to the regions)",
        "2018",
        "https://www.ism.dk/",
        "State health block grant to the regions, DKK 96.9bn in 2019.",
    ),
    _R(
        "regionh-cofinancing",
        "official",
        "Capital Region of Denmark (Region Hovedstaden)",
        "Joint financing by the municipalities",
        "c. 2017",
        "https://www.regionh.dk/english/about-the-capital-region/Finance/Pages/Joint-financing-by-the-"
        "municipalities.aspx",
        "Municipalities paid 34% of the DRG tariff for each somatic admission of a resident (flat model, capped "
        "per admission) before the 2018 age-differentiated rates.",
    ),
    _R(
        "regionh-medfinansiering-2018",
        "official",
        "Region Hovedstaden (Capital Region of Denmark)",
        "Kommunernes medfinansiering (municipal co-financing)",
        "2018–2023",
        "https://www.regionh.dk/om-region-hovedstaden/oekonomi/Regionens-oekonomi-og-finansiering/Sider/"
        "Kommunernes-medfinansiering.aspx",
        "The municipal payment per somatic admission is capped: about DKK 15,000 per admission in the flat "
        "model (34% of the tariff, outpatient cap about DKK 1,500) and about DKK 31,000 per hospital course in "
        "the age-differentiated model from 2018 (20–56% of the tariff by age). The cap limits what one costly "
        "admission costs a municipality.",
    ),
    _R(
        "danske-regioner-proximity",
        "official",
        "Danske Regioner (Danish Regions)",
        "Nærhedsfinansiering (proximity financing)",
        "2019–2021",
        "https://www.regioner.dk/aftaler-og-oekonomi/oekonomisk-styring/finansiering/naerhedsfinansiering/",
        "A DKK 1.5bn a year fund released to regions on four criteria (2021): fewer hospital courses per "
        "citizen, less hospital activity per chronic patient, fewer 30-day readmissions, more virtual courses. "
        "Each criterion met releases a third of a region's share; three or more release all of it.",
    ),
    # --- research ---------------------------------------------------------------------------------------
    _R(
        "nuffield-2024-nhs-money",
        "research",
        "Nuffield Trust",
        "Where does the NHS money go?",
        "2024",
        "https://www.nuffieldtrust.org.uk/resource/where-does-the-nhs-money-go",
        "Real growth by sector 2016/17–2022/23: acute 4.4% a year, community 0.5%, total 3.1%; community share "
        "8% → 7%, public health grant 3.6% → 2.3%.",
    ),
    _R(
        "hsj-2013-sector-shares",
        "news",
        "Health Service Journal (from Department of Health data)",
        "Revealed: hospitals' share of spend grows as GPs' slice shrinks",
        "2013",
        "https://www.hsj.co.uk/finance-and-efficiency/revealed-hospitals-share-of-spend-grows-as-gps-slice-"
        "shrinks/5063034.article",
        "Sector shares of £91.7bn PCT spending in 2012/13 (hospitals 51%, mental health 11.1%, community 10.6%, "
        "prescribing 8.6%, general practice 8.6%).",
    ),
    _R(
        "hf-health-care-funding",
        "research",
        "The Health Foundation",
        "Health care funding (long read)",
        "2024",
        "https://www.health.org.uk/publications/long-reads/health-care-funding",
        "NHS England funding grew about 3.0% a year in real terms from 2019/20 to 2024/25: 1.9% a head and 1.7% "
        "a head once ageing is allowed for, so population growth was about 1.1% a year and ageing about 0.2%. "
        "Long-run real growth of UK health spending about 3.8% a year (1.4% in 2010–2019).",
    ),
    _R(
        "hf-real-2021",
        "research",
        "The Health Foundation (REAL Centre)",
        "Health and social care funding projections 2021",
        "2021",
        "https://www.health.org.uk/publications/health-and-social-care-funding-projections-2021",
        "Real growth of 3.2% a year (to stabilise services) to 3.5% (to recover them) needed for the NHS in "
        "England from 2018/19 to 2030/31, demography, chronic disease and costs together, net of productivity.",
    ),
    _R(
        "obr-fsr-2018",
        "official",
        "Office for Budget Responsibility",
        "Fiscal sustainability report",
        "2018 (July)",
        "https://obr.uk/fsr/fiscal-sustainability-report-july-2018/",
        "UK health spending projected to rise from 7.1% to 13.8% of GDP over 50 years; demography explains only a "
        "small part of the rise, chronic disease and other cost pressures most of it.",
    ),
    _R(
        "kingsfund-2012-acsc",
        "research",
        "Tian, Y., Dixon, A. and Gao, H. (The King's Fund)",
        "Data briefing: emergency hospital admissions for ambulatory care-sensitive conditions",
        "2012",
        "https://www.kingsfund.org.uk/insight-and-analysis/data-and-charts",
        "About one emergency admission in six is for a condition that could be managed out of hospital, costing "
        "£1.42bn; rates vary from 9 to 22 per 1,000 between local authorities. QualityWatch (Blunt, 2013) puts "
        "it at about one in five.",
    ),
    _R(
        "seamer-2019",
        "research",
        "Seamer, P. et al. (BMJ Open 9:e024577)",
        "Association between social care expenditure and emergency admissions of older people in England",
        "2019",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC6501965/",
        "132 councils, 2005–2016: no association between social care spending and emergency admissions of "
        "people aged 65 and over (incidence rate ratio 1.009 per £1,000, interval 0.965–1.056).",
    ),
    _R(
        "nhsconfed-2023-community",
        "research",
        "NHS Confederation and Carnall Farrar",
        "Unlocking the power of health beyond the hospital",
        "2023",
        "https://www.nhsconfed.org/publications/unlocking-power-health-beyond-hospital",
        "Across 42 systems, those spending more on community care had 15% lower emergency admission rates; "
        "£131 of acute spending avoided per £100 of community spending. Cross-sectional, not causal: an upper "
        "bound.",
    ),
    _R(
        "masters-2017",
        "research",
        "Masters, R., Anwar, E., Collins, B., Cookson, R. and Capewell, S. (J Epidemiol Community Health 71(8):827)",
        "Return on investment of public health interventions: a systematic review",
        "2017",
        "https://jech.bmj.com/content/71/8/827",
        "52 studies: median return £14.3 per £1 (local interventions £4.1); falls prevention pays back within "
        "18 months, most other interventions over years. Returns are to society, not NHS cash.",
    ),
    _R(
        "hf-iau-integrated-care",
        "research",
        "The Health Foundation (Improvement Analytics Unit)",
        "Have integrated care programmes reduced emergency admissions?",
        "2019",
        "https://www.health.org.uk/publications/long-reads/have-integrated-care-programmes-reduced-emergency-"
        "admissions",
        "Evaluations of four vanguard programmes: little effect in the first couple of years, some reduction "
        "after five to six years, inconsistent between sites.",
    ),
    _R(
        "vrangbaek-2013",
        "research",
        "Vrangbæk, K. and Sørensen, L. C. (Scand J Public Health 41(6):616–622)",
        "Does municipal co-financing reduce hospitalisation rates in Denmark?",
        "2013",
        "https://journals.sagepub.com/doi/10.1177/1403494813488053",
        "No clear link between municipalities' preventive effort under co-financing and admissions. Pedersen "
        "(University of Southern Denmark discussion paper 1/2019) likewise finds no demonstrable effect.",
    ),
    _R(
        "mcwilliams-2018",
        "research",
        "McWilliams, J. M. et al. (N Engl J Med 379:1139)",
        "Medicare spending after 3 years of the Medicare Shared Savings Program",
        "2018",
        "https://www.nejm.org/doi/10.1056/NEJMsa1803388",
        "Accountable care organisations' savings grow with years in the programme: about $302 a beneficiary a "
        "year for 2012 entrants by 2015, $139 for 2013 entrants, none significant for 2014 entrants (roughly "
        "0.4–3% of spending), concentrated in physician-group ACOs.",
    ),
    _R(
        "policyengine-nhs-age",
        "research",
        "PolicyEngine (policyengine-uk-data)",
        "NHS consumption by age and sex (from NHS acute patient-level activity and costing)",
        "2024",
        "https://github.com/PolicyEngine/policyengine-uk-data",
        "Hospital cost a head from about £255 (ages 5–14) to £3,399 (90+); weights population growth by age for "
        "NHS lines (devocare.simulation.population.COST_BY_AGE), with bands between the published ages "
        "interpolated.",
    ),
    _R(
        "liebman-mahoney-2017",
        "research",
        "Liebman, Jeffrey B. and Mahoney, Neale",
        "Do Expiring Budgets Lead to Wasteful Year-End Spending? Evidence from Federal Procurement "
        "(American Economic Review 107(11): 3510–3549)",
        "2017",
        "https://www.aeaweb.org/articles?id=10.1257/aer.20131296",
        "Budgets that lapse at the end of the year are spent: US federal spending surges in the last week of the "
        "fiscal year. devocare's reason for every holder spending the money it is given beyond its need.",
    ),
    _R(
        "hf-2019-emergency",
        "research",
        "The Health Foundation",
        "Emergency admissions: part one — what are the pressures?",
        "2019",
        "http://reader.health.org.uk/emergency-admissions/part-one-what-are-the-pressures",
        "6.02 million emergency admissions in 2017/18; £17.0bn cost in 2016/17.",
    ),
    _R(
        "brookdale-capping",
        "research",
        "Myers-JDC-Brookdale Institute",
        "Hospital utilization and expenditure of the Israeli health plans in the era of health care reform",
        "c. 2018",
        "https://brookdale.jdc.org.il/en/publication/hospital-utilization-expenditure-israeli-health-plans-"
        "era-health-care-reform/",
        "Israel's revenue caps on health-plan payments to hospitals since the mid-1990s; the 2017–2019 "
        "agreement withheld 40% of revenue above a hospital's cap.",
    ),
    _R(
        "csw-2025-redundancy",
        "news",
        "Civil Service World",
        "DHSC says health reorganisation redundancy bill could hit £1.3bn",
        "2025",
        "https://www.civilserviceworld.com/news/article/dhsc-says-health-reorganisation-redundancy-bill-could-"
        "hit-13bn-civil-service",
        "DHSC's estimate that abolishing NHS England and halving central headcount (about 18,600 staff in NHS "
        "England and DHSC in March 2025) could cost up to £1.3bn in redundancy, saving more than £1bn a year by "
        "2029.",
    ),
    # --- derived ----------------------------------------------------------------------------------------
    _R(
        "emergency-admissions-cost",
        "derived",
        "devocare",
        "Cost of emergency admissions, England 2023/24: about £22bn",
        "2023/24",
        "6.4 million admissions (nhsd-hes-2023, 0.54 million a month × 12) × £3,500 (nao-2018-emergency and "
        "hf-2019-emergency totals per admission, £2,450–£2,930 in 2015-17, uplifted by about 30% for NHS cost "
        "inflation — the uplift is an assumption).",
    ),
    _R(
        "sector-split-2024",
        "derived",
        "devocare",
        "Current split of NHS commissioned spending by sector, England 2023/24",
        "2023/24",
        "The 2012/13 shares (hsj-2013-sector-shares) rolled forward with each sector's real growth "
        "(nuffield-2024-nhs-money): acute 55%, mental health 11%, community 7%, general practice 8%, "
        "prescribing 9%, other primary care 6%, other 4%. An assumption: no current official split exists.",
    ),
    _R(
        "specialised-remainder-2025",
        "derived",
        "devocare",
        "Share of specialised commissioning spend kept nationally after the April 2025 delegation: 0.44",
        "2025/26",
        "(£25.0bn specialised spend, pq-2024-specialised − about £14bn delegated to ICBs, "
        "nhsconfed-2025-specialised) ÷ £25.0bn = 0.44; ICBs hold the other 0.56. Spend shares, not service "
        "counts.",
    ),
    _R(
        "non-demographic-growth",
        "derived",
        "devocare",
        "Non-demographic growth of NHS demand: 2.0% a year real when GDP is not modelled (range 1.0–3.0%)",
        "2024",
        "Two routes: obr-fsr-2018's rise from 7.1% to 13.8% of GDP over 50 years is about 1.34% a year above GDP, "
        "of which demography about 0.2%; hf-real-2021's 3.2% a year less about 1.3% of demography "
        "(hf-health-care-funding) is about 1.9%. Rounded to 2.0% real; an assumption where GDP is not modelled.",
    ),
    _R(
        "prevention-effect",
        "derived",
        "devocare",
        "Emergency-admission cost avoided per £1 of extra upstream spending a year: 0.3 (range 0–1.3)",
        "2024",
        "Bounded below by null findings (seamer-2019; Danish co-financing, vrangbaek-2013) and above by "
        "nhsconfed-2023-community's £1.31 per £1 (cross-sectional). The central 0.3 is an assumption: about 85 "
        "admissions avoided per £1m a year at £3,500 each (emergency-admissions-cost). Reached over five years: "
        "0, 25, 50, 75, 100% (masters-2017 for fast paybacks, hf-iau-integrated-care for integrated care).",
    ),
    _R(
        "aco-efficiency",
        "derived",
        "devocare",
        "Efficiency saving of an accountable care budget: 1.0% of attributable spend a year after a 2–3 year "
        "ramp (range 0–3%)",
        "2024",
        "A synthesis, and an assumption: US Medicare ACO savings of roughly 0.4–3% a year that grow with time in "
        "the programme (mcwilliams-2018), against English integrated-care pilots with no fall in emergency "
        "admissions and effects only after five to six years (hf-iau-integrated-care).",
    ),
    _R(
        "danish-incentive-fund",
        "derived",
        "devocare",
        "Denmark's incentive fund as a share of regional health funding: about 1.2%",
        "2019",
        "DKK 1.5bn (danske-regioner-proximity) ÷ the DKK 96.9bn state block grant (ism-2018-bloktilskud) = 1.5% "
        "of the block grant; the block grant is about three-quarters of regional income, so about 1.2% of all.",
    ),
    _R(
        "cofinancing-cap-gbp",
        "derived",
        "devocare",
        "Danish co-financing cap per admission in pounds: about £1,750",
        "c. 2012–2017",
        "DKK 15,000 per somatic admission, the flat model's cap (regionh-medfinansiering-2018, regionh-cofinancing), "
        "at about DKK 8.6 to the pound (an assumption: the rough average of 2014–2017), with no price uplift to "
        "2024/25 (an assumption). The 2018 age-differentiated cap, about DKK 31,000 per course (≈£3,600), is the "
        "upper end of the parameter's sensitivity range.",
    ),
    _R(
        "israel-capping",
        "derived",
        "devocare",
        "Marginal price of hospital activity above a volume cap: 60% of tariff",
        "2017–2019",
        "One minus the 40% deduction on over-cap revenue in Israel's 2017–2019 agreement (brookdale-capping). "
        "An assumption when used as the price of English activity above a cap.",
    ),
)

_BY_KEY: dict[str, Reference] = {r.key: r for r in REFERENCES}

#: Upper-case keys the parameter tree once cited, each with the entry it now names; they still resolve.
LEGACY: dict[str, str] = {
    "NAO-2013": "nao-2013-transition",
    "CSW-2025": "csw-2025-redundancy",
    "HF-FUNDING": "hf-health-care-funding",
    "NUFFIELD-MONEY": "nuffield-2024-nhs-money",
    "DHSC-PHG": "dhsc-2024-ph-grant",
    "NHSE-BCF": "nhse-bcf",
    "PQ-DFG-2025": "pq-2025-dfg",
    "HOCL-CBP10031": "hoc-2024-icb-allocations",
    "PQ-SPEC-2024": "pq-2024-specialised",
    "ONS-SNPP-2018": "ons-snpp-2018",
    "ONS-MYE-2024": "ons-mye-2024",
    "POLICYENGINE-NHS-AGE": "policyengine-nhs-age",
    "ASC-AFR-2023": "nhse-2023-asc-finance",
    "NHSE-AE": "nhse-ae-monthly",
    "OHID-CATCH": "ohid-catchment",
}


def keys() -> frozenset[str]:
    """Every bibliography key."""
    return frozenset(_BY_KEY)


def get(key: str) -> Reference:
    """The reference with this key, or with the entry an older upper-case key names (KeyError if none)."""
    return _BY_KEY[LEGACY.get(key, key)]


def resolves(key: str) -> bool:
    """Whether ``key`` names an entry (directly or as an older upper-case key)."""
    return LEGACY.get(key, key) in _BY_KEY


#: ``bibliography KEY`` or ``bibliography: KEY, KEY and KEY`` inside a parameter's source or note.
_KEY = r"`?[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)+`?"  # every key has a hyphen: reform-2024, nhse-bcf, NAO-2013
_CITED = re.compile(rf"bibliography:?\s+({_KEY}(?:\s*(?:,|\band\b)\s*{_KEY})*)")


def cited_keys(text: str) -> list[str]:
    """Every key a free-text source cites with the word ``bibliography`` (``... (bibliography nhse-bcf)``)."""
    out = []
    for match in _CITED.finditer(text):
        for part in re.split(r"\s*(?:,|\band\b)\s*", match.group(1)):
            key = part.strip().strip("`").rstrip(".")
            if key:
                out.append(key)
    return out


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
        "This page is generated from `src/devocare/bibliography.py` (a test keeps the two identical). Architecture",
        "files start a source with a key; the simulator's parameters cite keys as `bibliography <key>`; a test",
        "checks that every cited key is listed here.",
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
    out += ["## Older keys", "", "Keys the parameter tree once cited, and the entry each names now:", ""]
    out += [f"- `{old}` → `{new}`" for old, new in LEGACY.items()]
    out.append("")
    return "\n".join(out)
