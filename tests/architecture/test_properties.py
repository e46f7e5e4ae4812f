"""Invariants: extends: without overrides changes nothing; diffs are antisymmetric; merging nothing is identity."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devocare import architecture as A
from devocare import atlas
from devocare.architecture.diff import diff as raw_diff
from devocare.architecture.loader import merge

IDS = A.builtin_ids()
child_ids = st.from_regex(r"[a-z][a-z0-9\-]{0,20}", fullmatch=True)
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _structure(arch):
    data = arch.model_dump(mode="json", by_alias=True)
    for key in ("id", "extends", "name", "description"):
        data.pop(key)
    return data


@SLOW
@given(base=st.sampled_from(IDS), child=child_ids)
def test_extends_without_overrides_changes_nothing(base, child):
    original = A.load(base)
    extended = A.load_text(f"id: {child}\nextends: {base}\n", name=f"{child}.yaml")
    assert extended.extends == base
    assert _structure(extended) == _structure(original)
    assert raw_diff(original, extended).is_empty()


@SLOW
@given(a=st.sampled_from(IDS), b=st.sampled_from(IDS))
def test_diff_is_antisymmetric(a, b):
    arch_a, arch_b = A.load(a), A.load(b)
    forward = raw_diff(arch_a, arch_b)
    backward = raw_diff(arch_b, arch_a)
    assert backward.to_dict() == forward.inverse().to_dict()
    assert forward.inverse().inverse().to_dict() == forward.to_dict()


def test_diff_with_metrics_is_antisymmetric():
    forward = atlas.diff("status-quo-2023", "reform-aco-2024")
    backward = atlas.diff("reform-aco-2024", "status-quo-2023")
    assert backward.to_dict() == forward.inverse().to_dict()


def test_diff_of_an_architecture_with_itself_is_empty():
    for arch_id in IDS:
        d = atlas.diff(arch_id, arch_id)
        assert d.is_empty() and not d.metrics


json_leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
documents = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


@given(doc=st.dictionaries(st.text(max_size=4), documents, max_size=5))
def test_merging_nothing_is_identity(doc):
    assert merge(doc, {}) == doc


@given(doc=st.dictionaries(st.text(max_size=4), documents, max_size=5))
def test_merging_a_document_over_itself_is_identity(doc):
    assert merge(doc, doc) == doc
