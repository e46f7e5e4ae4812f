"""Back-test of the demand side: run it from 2022/23 and compare predicted emergency admissions for 2023/24
and 2024/25 with NHS England's monthly series, ICB by ICB.

The model's demand side predicts admissions where people live: the 2022/23 national total (observed)
spread over ICBs by NHS England's 2022/23 weighted populations on the emergency line's need basis, grown by
each ICB's population growth by age (ONS projections weighted by hospital cost per head,
:mod:`devocare.simulation.population`) and by the non-demographic growth parameter. NHS England counts
admissions where the provider is, so residents' admissions are moved to providers' ICBs with OHID's
acute-trust catchment shares (each residence ICB sends its admissions to trusts in proportion to the
share of each trust's catchment it makes up, each trust weighted by its provider ICB's observed 2022/23
admissions split equally over the ICB's trusts: an assumption, stated in the output).

Two comparisons, as the ``method`` column says:

* ``level``: the predicted count itself, so errors include how well need-weighted populations place
  admissions across ICBs;
* ``growth``: each ICB's observed 2022/23 count grown by its predicted growth, so errors isolate the
  growth model.

Bias is the mean of (predicted − observed) / observed over ICBs; MAPE the mean of its absolute value.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from devocare import data, geography

BASE = "2022/23"
YEARS = ("2023/24", "2024/25")
SERIES = "nhse_ae_emergency_admissions_icb_monthly_2022_04_2025_07"
#: ICB codes changed in April 2024 (code change only): 2022 → 2024.
ICB22_TO_24 = {"E54000052": "E54000063", "E54000053": "E54000064"}


def _fy(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    start = year if mon >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


@lru_cache(maxsize=1)
def observed() -> pd.DataFrame:
    """Emergency admissions per provider ICB and financial year (complete years only): icb24cd, icb24nm,
    year, admissions."""
    df = data.load(SERIES)
    df["year"] = df["month"].map(_fy)
    months = df.groupby("year")["month"].nunique()
    full = months[months == 12].index
    kept = df[df["year"].isin(full)]
    grouped = kept.groupby(["icb24cd", "icb24nm", "year"], as_index=False)["total_emergency_admissions"].sum()
    out = pd.DataFrame(grouped).rename(columns={"total_emergency_admissions": "admissions"})
    return out


@lru_cache(maxsize=1)
def flow_matrix() -> tuple[list[str], np.ndarray]:
    """ICB codes and the (residence ICB × provider ICB) share of residents' emergency admissions treated in
    each provider ICB (rows sum to 1)."""
    catch = data.load("acute_trust_catchment_share_by_icb_ohid_2022")
    catch["icb"] = catch["icb22_code"].replace(ICB22_TO_24)
    trusts = data.load("nhs_trusts_ods_etr_2025_12")
    provider = dict(zip(trusts["org_code"], trusts["icb24cd"], strict=True))
    # a trust's provider ICB: from the current trust list, else the ICB its catchment mostly lives in
    main = catch.sort_values("proportion_trust_came_from_icb").groupby("nhs_trust22_code")["icb"].last()
    catch["provider"] = catch["nhs_trust22_code"].map(lambda t: provider.get(t, main[t]))
    obs = observed()
    base = obs[obs["year"] == BASE].set_index("icb24cd")["admissions"]
    icbs = sorted(base.index)
    n_trusts = catch.groupby("provider")["nhs_trust22_code"].nunique()
    catch["trust_admissions"] = catch["provider"].map(base) / catch["provider"].map(n_trusts)
    catch["flow"] = catch["proportion_trust_came_from_icb"] * catch["trust_admissions"]
    table = catch.pivot_table(index="icb", columns="provider", values="flow", aggfunc="sum", fill_value=0.0)
    flows = table.reindex(index=icbs, columns=icbs, fill_value=0.0).to_numpy(dtype=float)
    rows = flows.sum(axis=1, keepdims=True)
    return icbs, np.divide(flows, rows, out=np.eye(len(icbs)), where=rows > 0)


def _icb_need_growth(icbs: list[str]) -> dict[str, np.ndarray]:
    """Growth of hospital-cost-weighted population per ICB, mid-2022 to mid-2023 and mid-2024 (ONS 2018-based
    projections, LADs apportioned to ICBs by Census 2021 population shares)."""
    from devocare.simulation.population import BANDS, COST_BY_AGE

    snpp = data.load("ons_snpp2018_persons_age5_lad24_utla24_2018_2043")
    snpp = snpp[(snpp["geography_level"] == "lad24") & (snpp["age_group"].isin(BANDS))]
    cost = dict(zip(BANDS, COST_BY_AGE["nhs"], strict=True))
    weight = snpp["age_group"].map(cost)
    lad = pd.DataFrame({y: (snpp[f"pop_{y}"] * weight).groupby(snpp["areacd"]).sum() for y in (2022, 2023, 2024)})
    m = geography.membership("lad", "icb")
    joined = m.join(lad, on="from_code")
    icb = joined[[2022, 2023, 2024]].mul(joined["share"], axis=0).groupby(joined["to_code"]).sum().reindex(icbs)
    return {f"{y}/{(y + 1) % 100:02d}": (icb[y] / icb[2022]).to_numpy(dtype=float) for y in (2022, 2023, 2024)}


def predicted(params: Any = None) -> pd.DataFrame:
    """Predicted emergency admissions per provider ICB for the base year and the back-test years: icb24cd,
    year, residence (where patients live), provider (where they are treated)."""
    from devocare.allocation.grants import area_weights
    from devocare.simulation.demand import NEED_BASIS
    from devocare.simulation.parameters import defaults

    params = params or defaults()
    icbs, flows = flow_matrix()
    obs = observed()
    national = float(obs[obs["year"] == BASE]["admissions"].sum())
    weights = area_weights(BASE, "icb").set_index("code")[NEED_BASIS["acute_non_elective"]].reindex(icbs)
    share = (weights / weights.sum()).to_numpy(dtype=float)
    growth = _icb_need_growth(icbs)
    rows = []
    nd, ageing = float(params["demand.non_demographic_growth.nhs"]), float(params["demand.ageing_growth"])
    for t, year in enumerate((BASE, *YEARS)):
        factor = growth[year] * ((1 + nd) * (1 + ageing)) ** t
        residence = national * share * factor
        provider = residence @ flows
        rows += [
            {"icb24cd": c, "year": year, "residence": r, "provider": p}
            for c, r, p in zip(icbs, residence, provider, strict=True)
        ]
    return pd.DataFrame(rows)


def backtest(params: Any = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-ICB comparison (method, icb24cd, icb24nm, year, observed, predicted, error) and summary (method,
    year, icbs, bias, mape, national_observed, national_predicted); errors are fractions of observed."""
    obs = observed().set_index(["icb24cd", "year"])
    pred = predicted(params).set_index(["icb24cd", "year"])
    rows = []
    for year in YEARS:
        for code in pred.xs(year, level="year").index:
            o, p = float(obs.loc[(code, year), "admissions"]), float(pred.loc[(code, year), "provider"])
            o0, p0 = float(obs.loc[(code, BASE), "admissions"]), float(pred.loc[(code, BASE), "provider"])
            name = obs.loc[(code, year), "icb24nm"]
            for method, value in (("level", p), ("growth", o0 * p / p0)):
                rows.append(
                    {
                        "method": method,
                        "icb24cd": code,
                        "icb24nm": name,
                        "year": year,
                        "observed": o,
                        "predicted": value,
                        "error": (value - o) / o,
                    }
                )
    table = pd.DataFrame(rows)
    summary = (
        table.groupby(["method", "year"], sort=False)
        .agg(
            icbs=("error", "size"),
            bias=("error", "mean"),
            mape=("error", lambda e: float(np.abs(e).mean())),
            national_observed=("observed", "sum"),
            national_predicted=("predicted", "sum"),
        )
        .reset_index()
    )
    return table, summary
