"""The parameter tree's schema: the shipped tree passes, and a broken one reports every problem at once."""

from __future__ import annotations

import copy
import datetime as dt
from importlib import resources

import pytest
import yaml

from devocare.simulation.parameter_schema import ParameterTreeError, check_tree, tree_problems
from devocare.simulation.parameters import BASE_DATE, defaults

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def tree():
    text = resources.files("devocare.simulation").joinpath("parameters.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def test_shipped_tree_is_valid(tree):
    assert tree_problems(tree, BASE_DATE) == []
    assert len(defaults().params) >= 30


def test_every_problem_is_reported_with_its_path(tree):
    broken = copy.deepcopy(tree)
    spend = broken["demand"]["spend"]
    spend["specialised"]["unit"] = "£bnn"  # unknown unit
    spend["mental_health"]["values"] = {dt.date(2024, 4, 1): 500.0}  # outside its range
    del spend["community_health"]["source"]  # no citation
    spend["acute_elective"]["uncertainty"] = [49.0, 37.0]  # interval upside down
    spend["primary_medical"]["colour"] = "blue"  # unknown key
    spend["primary_medical"]["values"] = {dt.date(2030, 4, 1): 1.0}  # nothing in force at the base date
    broken["demand"]["stray"] = 3  # neither group nor parameter
    with pytest.raises(ParameterTreeError) as caught:
        check_tree(broken, BASE_DATE)
    problems = caught.value.problems
    expected = [
        "demand.spend.specialised.unit:",
        "demand.spend.mental_health: value 500",
        "demand.spend.community_health: needs a source or assumption: true",
        "demand.spend.acute_elective.uncertainty: uncertainty [lo, hi] needs hi > lo",
        "demand.spend.primary_medical.colour:",
        "demand.stray: neither a group nor a parameter",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert str(caught.value).startswith(f"{len(problems)} problems in the parameter tree:")


def test_nothing_in_force_at_the_base_date(tree):
    broken = copy.deepcopy(tree)
    broken["demand"]["spend"]["specialised"]["values"] = {dt.date(2030, 4, 1): 25.0}
    assert tree_problems(broken, BASE_DATE) == [
        "demand.spend.specialised.values: no value dated on or before 2024-04-01"
    ]


def test_not_a_mapping():
    assert tree_problems(["a", "list"], BASE_DATE) == ["parameter tree: expected a mapping of groups and parameters"]


def test_aliases_and_correlations_are_checked_as_sections(tree):
    broken = copy.deepcopy(tree)
    broken["aliases"]["funding.real_growth"] = "funding.growth.nhs"
    broken["correlations"].append({"between": ["a", "b"], "rho": 1.5, "assumption": True})
    problems = tree_problems(broken, BASE_DATE)
    assert any(p.startswith("aliases.funding.real_growth:") for p in problems)
    assert any(p.startswith(f"correlations[{len(broken['correlations']) - 1}].rho:") for p in problems)
