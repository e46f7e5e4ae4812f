"""Compare reforms: a baseline and up to four architectures run with the same seed, shown as paired
differences — a plain-language summary, difference fan charts, difference maps by area, a sortable area
table with names — with CSV and Excel of every view and an address that restores the page."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from devocare.errors import DevocareError
from devocare.web import charts, render
from devocare.web.api.analysis import MAX_REFORMS, PairedRequest, run_attribution, run_paired
from devocare.web.pages.simulate import architecture_choices
from devocare.web.problems import ProblemError

router = APIRouter()
MAP_MEASURES = {"spent_per_need": "money spent ÷ need", "spent": "money spent (£)"}
#: Measures the page's attribution table shows (its CSV download has every summary measure).
ATTRIBUTION_MEASURES = ("spent_gbp_bn", "unmet_need_gbp_bn", "admissions_per_1000")


def _request(baseline: str, arch: list[str], years: int, draws: int, seed: int) -> PairedRequest:
    others = [a for a in arch if a and a != baseline]
    if not others:
        raise DevocareError("choose at least one architecture other than the baseline")
    if len(others) > MAX_REFORMS:
        raise DevocareError(f"choose at most {MAX_REFORMS} architectures besides the baseline")
    return PairedRequest(baseline=baseline, architectures=others, years=years, draws=draws, seed=seed, areas=True)


def _tables(request: Request, req: PairedRequest, attribute: bool = False) -> dict[str, Any]:
    from devocare.simulation.paired import difference_fans, paired_area_differences, paired_differences

    attr = run_attribution(request, req) if attribute else None
    results, baseline = (attr.results, attr.baseline) if attr is not None else run_paired(request, req)
    diffs = paired_differences(results, baseline)
    areas = paired_area_differences(results, baseline)
    fans = pd.concat([difference_fans(results, baseline, s) for s in ("spent", "admissions")], ignore_index=True)
    per_need = areas[areas["measure"] == "spent_per_need"]
    wide = per_need.pivot_table(
        index=["area", "area_name"], columns="architecture", values="diff_central"
    ).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    if per_need["diff_p5"].notna().any():  # each reform's 90% band of paired draws, beside the central columns
        for stat in ("diff_p5", "diff_p95"):
            band = per_need.pivot_table(index=["area", "area_name"], columns="architecture", values=stat).reset_index()
            for a in [c for c in band.columns if c not in ("area", "area_name")]:
                wide[f"{a} {stat.removeprefix('diff_').upper()}"] = band[a].to_numpy()
    out: dict[str, Any] = {
        "results": results,
        "baseline": baseline,
        "diffs": diffs,
        "areas": areas,
        "fans": fans,
        "area_table": wide,
    }
    if attr is not None:
        from devocare.simulation.attribution import attribution_table

        out["attribution"] = attribution_table(attr)
    if req.draws >= 10:
        from devocare.simulation.sensitivity import describe, tornado

        table = tornado(results[1], "spent_gbp_bn", results[0], top=8)
        out["tornado"], out["tornado_text"] = table, describe(table)
    return out


@router.get("/compare/reforms")
def reforms_page(
    request: Request,
    baseline: str = Query("status-quo-2023", max_length=120),
    arch: list[str] = Query(default=[], max_length=MAX_REFORMS + 1),
    years: int = Query(10, ge=1, le=30),  # reforms start in 2027/28: year 4
    draws: int = Query(20, ge=0, le=100_000),
    seed: int = Query(0, ge=0, le=2**32 - 1),
    map_measure: str = Query("spent_per_need", max_length=20),
    attribute: int = Query(0, ge=0, le=1),
    run: int = Query(0, ge=0, le=1),
) -> Response:
    """The page; ``/compare/reforms?baseline=status-quo-2023&arch=reform-aco-2024&run=1`` restores a run."""
    from devocare.simulation.paired import plain_summary

    errors: dict[str, str] = {}
    context: dict[str, Any] = {}
    datasets: dict[str, pd.DataFrame] = {}
    if map_measure not in MAP_MEASURES:
        errors["map_measure"] = f"choose one of {', '.join(MAP_MEASURES)}"
    if run and not errors:
        try:
            t = _tables(request, _request(baseline, arch, years, draws, seed), bool(attribute))
        except (DevocareError, ProblemError) as exc:
            errors["arch"] = exc.detail if isinstance(exc, ProblemError) else str(exc)
        else:
            datasets = {
                "paired_differences": t["diffs"],
                "difference_fans": t["fans"],
                "areas": t["areas"],
                "area_table": t["area_table"],
            }
            shown = t["diffs"][
                [
                    "architecture",
                    "measure",
                    "baseline_central",
                    "diff_p5",
                    "diff_p50",
                    "diff_p95",
                    "prob_lower",
                    "prob_higher",
                ]
            ]
            fan_charts = []
            fan_axes = (("spent", "£ (reform − baseline)"), ("admissions", "admissions (reform − baseline)"))
            for series, ytitle in fan_axes:
                part = t["fans"][t["fans"]["series"] == series]
                label = "money spent" if series == "spent" else "emergency admissions"
                fan_charts.append(
                    {
                        "id": f"fan-{series}",
                        "figure": charts.fan(
                            part,
                            "year",
                            f"Difference in {label} from {t['baseline']}, per year (P5–P95 of paired draws)",
                            series="architecture",
                            ytitle=ytitle,
                            bands=(("p5", "p95"),),
                        ),
                        "label": f"Difference fan chart: {label}, each reform minus {t['baseline']}, median and P5 to "
                        "P95 band over paired draws.",
                    }
                )
            maps = []
            for a in [r.architecture for r in t["results"][1:]]:
                part = t["areas"][(t["areas"]["architecture"] == a) & (t["areas"]["measure"] == map_measure)]
                frame = pd.DataFrame({"code": part["area"], "name": part["area_name"], "value": part["diff_central"]})
                maps.append(
                    {
                        "id": f"map-{a}",
                        "figure": charts.choropleth(
                            frame,
                            "lad",
                            "value",
                            f"{a} minus {t['baseline']}: {MAP_MEASURES[map_measure]}, "
                            f"{t['results'][0].years[-1]} (central run)",
                            colorbar="difference",
                        ),
                        "label": f"Map of the difference in {MAP_MEASURES[map_measure]} by district, {a} minus "
                        f"{t['baseline']}.",
                    }
                )
            if "attribution" in t:
                from devocare import formatting
                from devocare.simulation.attribution import describe

                datasets["attribution"] = t["attribution"]
                reforms = t["attribution"]["architecture"].drop_duplicates()
                context["attribution_summary"] = [describe(t["attribution"], str(r)) for r in reforms]
                part = t["attribution"][t["attribution"]["measure"].isin(ATTRIBUTION_MEASURES)]
                context["attribution"] = (
                    part[
                        ["architecture", "measure", "label", "contribution_p5", "contribution_p50", "contribution_p95"]
                    ]
                    .rename(columns={"label": "mechanism"})
                    .assign(
                        share_of_variance=[formatting.percent(v) if v == v else "–" for v in part["share_of_variance"]]
                    )
                )
            if "tornado" in t:
                datasets["sensitivity"] = t["tornado"]
                first = t["results"][1].architecture
                context["tornado"] = {
                    "id": "tornado",
                    "text": t["tornado_text"],
                    "figure": charts.tornado(
                        t["tornado"],
                        f"Which assumptions move the difference in money spent ({first} minus {t['baseline']})",
                        xtitle="£bn, mean over the fifth of draws",
                    ),
                    "label": "Tornado chart: each uncertain parameter's bar runs from the mean difference in the "
                    "draws where it is lowest to where it is highest.",
                }
            context.update(
                summary=plain_summary(t["diffs"]),
                shown=shown,
                fans=fan_charts,
                maps=maps,
                area_table=t["area_table"],
                baseline_id=t["baseline"],
                xlsx_url=str(request.url.replace(path="/compare/reforms/xlsx")),
            )
    return render.page(
        request,
        "reforms.html",
        "Compare reforms",
        "compare",
        datasets=datasets,
        form={
            "baseline": baseline,
            "arch": arch,
            "years": years,
            "draws": draws,
            "seed": seed,
            "map_measure": map_measure,
            "attribute": attribute,
        },
        errors=errors,
        architectures=architecture_choices(request),
        map_measures=MAP_MEASURES,
        max_reforms=MAX_REFORMS,
        **context,
    )


@router.get("/compare/reforms/xlsx")
def reforms_xlsx(
    request: Request,
    baseline: str = Query("status-quo-2023", max_length=120),
    arch: list[str] = Query(default=[], max_length=MAX_REFORMS + 1),
    years: int = Query(10, ge=1, le=30),
    draws: int = Query(20, ge=0, le=100_000),
    seed: int = Query(0, ge=0, le=2**32 - 1),
    attribute: int = Query(0, ge=0, le=1),
) -> Response:
    """Every view of the comparison as an Excel workbook with a run-record sheet (and the attribution to
    mechanisms when the page asked for it)."""
    from devocare.workbook import write_workbook

    t = _tables(request, _request(baseline, arch, years, draws, seed), bool(attribute))
    record = {
        "baseline": t["baseline"],
        "architectures": [r.architecture for r in t["results"]],
        "seed": seed,
        "draws": draws,
        "years": years,
        "run_records": {r.architecture: r.run_record for r in t["results"]},
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(
            Path(tmp) / "reforms.xlsx",
            {
                "paired differences": t["diffs"],
                "difference fans": t["fans"],
                "areas": t["areas"],
                "area table": t["area_table"],
                **({"attribution": t["attribution"]} if "attribution" in t else {}),
            },
            record,
        )
        content = path.read_bytes()
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": 'attachment; filename="compare-reforms.xlsx"'},
    )
