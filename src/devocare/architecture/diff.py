"""The reorganisation between two architectures as a readable change list.

Each architecture is read on its own ``as_of`` date. The diff lists bodies created and abolished (and which
abolished bodies were merged into one successor, or created bodies split out of one predecessor), functions
moved from → to (holders weighted by residents covered), money re-routed (which pot and holder pays for each
service line; flows opened and closed; money rules changed), accountability re-pointed, and (given a
metrics function) every metric before → after. ``diff(b, a)`` is exactly ``diff(a, b).inverse()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from devocare.architecture import geo
from devocare.architecture.schema import Architecture

_BODY_FIELDS = ("name", "kind", "tier", "statutory", "leadership", "area_level", "area_vintage", "areas")
_MONEY_FIELDS = ("settlement_years", "indexation", "savings_retained", "overspend_borne_locally", "hospital_input_cap")


def _holders(arch: Architecture) -> dict[str, dict[str, float]]:
    """function key → {holder: share of residents}, on the architecture's ``as_of``."""
    pop = geo.population()
    out: dict[str, dict[str, float]] = {}
    for i, vec in geo.holding_coverage(arch, arch.as_of):
        f = arch.functions[i]
        share = float((vec * pop).sum() / pop.sum())
        if share > 0:
            held = out.setdefault(f.key, {})
            held[f.holder] = round(held.get(f.holder, 0.0) + share, 6)
    return out


def _line_pots(arch: Architecture) -> dict[str, str]:
    """The pot holding each line; a line split between pots (``line_shares``) names each with its share."""
    out: dict[str, str] = {}
    split: dict[str, list[str]] = {}
    for pot in arch.money.pots:
        for line in pot.lines:
            out[line] = f"{pot.id} ({pot.holder}{', ring-fenced' if pot.ring_fenced else ''})"
            if line in (pot.line_shares or {}):
                split.setdefault(line, []).append(f"{out[line]} {pot.share_of(line):.2%}")
    return out | {line: " + ".join(parts) for line, parts in split.items()}


def _targets(arch: Architecture) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in arch.edges_on():
        out.setdefault(e.from_, []).append(f"{e.to} ({e.type})")
    return {k: sorted(v) for k, v in out.items()}


def _money_rules(arch: Architecture) -> dict[str, Any]:
    m = arch.money
    rules: dict[str, Any] = {k: getattr(m, k) for k in _MONEY_FIELDS}
    for name in ("co_financing", "incentive_fund", "rebasing", "coverage"):
        value = getattr(m, name)
        rules[name] = None if value is None else value.model_dump(mode="json", exclude={"sources"})
    return rules


def _fmt(held: dict[str, float]) -> str:
    return ", ".join(f"{h}" if abs(s - 1) < 1e-6 else f"{h} ({s:.0%})" for h, s in sorted(held.items()))


@dataclass
class ArchitectureDiff:
    """What changes from architecture ``a`` to architecture ``b``."""

    a: str
    b: str
    bodies_created: list[dict[str, Any]] = field(default_factory=list)
    bodies_abolished: list[dict[str, Any]] = field(default_factory=list)
    bodies_merged: list[dict[str, str]] = field(default_factory=list)
    bodies_split_out: list[dict[str, str]] = field(default_factory=list)
    bodies_changed: list[dict[str, Any]] = field(default_factory=list)
    functions_moved: list[dict[str, Any]] = field(default_factory=list)
    money_rerouted: list[dict[str, Any]] = field(default_factory=list)
    flows_opened: list[dict[str, Any]] = field(default_factory=list)
    flows_closed: list[dict[str, Any]] = field(default_factory=list)
    money_rules: list[dict[str, Any]] = field(default_factory=list)
    accountability_repointed: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when nothing structural differs (metrics aside)."""
        d = self.to_dict()
        return not any(d[k] for k in d if k not in ("a", "b", "metrics"))

    def inverse(self) -> ArchitectureDiff:
        """The diff from ``b`` back to ``a``."""

        def swap(items: list[dict[str, Any]], x: str = "from", y: str = "to") -> list[dict[str, Any]]:
            return [{**i, x: i[y], y: i[x]} for i in items]

        return ArchitectureDiff(
            a=self.b,
            b=self.a,
            bodies_created=list(self.bodies_abolished),
            bodies_abolished=list(self.bodies_created),
            bodies_merged=[{"body": i["body"], "into": i["from"]} for i in self.bodies_split_out],
            bodies_split_out=[{"body": i["body"], "from": i["into"]} for i in self.bodies_merged],
            bodies_changed=[
                {**i, "changes": {k: {"from": v["to"], "to": v["from"]} for k, v in i["changes"].items()}}
                for i in self.bodies_changed
            ],
            functions_moved=swap(self.functions_moved),
            money_rerouted=swap(self.money_rerouted),
            flows_opened=list(self.flows_closed),
            flows_closed=list(self.flows_opened),
            money_rules=swap(self.money_rules),
            accountability_repointed=swap(self.accountability_repointed),
            metrics=swap(self.metrics, "before", "after"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def _lines(self, bullet: str, code: str) -> list[str]:
        out = []

        def section(title: str, rows: list[str]) -> None:
            if rows:
                out.append(title)
                out.extend(f"{bullet}{r}" for r in rows)
                out.append("")

        section(
            "Bodies created",
            [f"{code}{b['id']}{code} — {b['name']} ({b['tier']}, {b['leadership']})" for b in self.bodies_created],
        )
        section("Bodies abolished", [f"{code}{b['id']}{code} — {b['name']}" for b in self.bodies_abolished])
        section("Bodies merged", [f"{code}{m['body']}{code} into {code}{m['into']}{code}" for m in self.bodies_merged])
        section(
            "Bodies split out", [f"{code}{m['body']}{code} from {code}{m['from']}{code}" for m in self.bodies_split_out]
        )
        section(
            "Bodies changed",
            [
                f"{code}{c['id']}{code}: "
                + "; ".join(f"{k} {v['from']!r} → {v['to']!r}" for k, v in c["changes"].items())
                for c in self.bodies_changed
            ],
        )
        section(
            "Functions moved", [f"{m['function']}: {m['from'] or '—'} → {m['to'] or '—'}" for m in self.functions_moved]
        )
        section(
            "Money re-routed (pot paying for each service line; see coverage under money rules)",
            [f"{m['line']}: {m['from'] or '—'} → {m['to'] or '—'}" for m in self.money_rerouted],
        )
        section("Funding flows opened", [f"{f['id']}: {f['from']} → {f['to']}" for f in self.flows_opened])
        section("Funding flows closed", [f"{f['id']}: {f['from']} → {f['to']}" for f in self.flows_closed])
        section("Money rules", [f"{m['rule']}: {m['from']} → {m['to']}" for m in self.money_rules])
        section(
            "Accountability re-pointed",
            [
                f"{code}{r['body']}{code}: {', '.join(r['from']) or '—'} → {', '.join(r['to']) or '—'}"
                for r in self.accountability_repointed
            ],
        )
        section("Metrics", [f"{m['metric']}: {_num(m['before'])} → {_num(m['after'])}" for m in self.metrics])
        return out

    def to_text(self) -> str:
        """Plain-text change list."""
        return "\n".join([f"{self.a} → {self.b}", ""] + self._lines("  - ", "")).rstrip() + "\n"

    def to_markdown(self) -> str:
        """Markdown change list (sections as headings)."""
        lines = []
        for line in self._lines("- ", "`"):
            lines.append(f"### {line}" if line and not line.startswith("- ") else line)
        return "\n".join([f"## `{self.a}` → `{self.b}`", ""] + lines).rstrip() + "\n"


def _none_if_nan(value: Any) -> Any:
    return None if isinstance(value, float) and np.isnan(value) else value


def _num(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3f}"
    return str(value)


def diff(
    a: Architecture, b: Architecture, metrics: Callable[[Architecture], Mapping[str, Any]] | None = None
) -> ArchitectureDiff:
    """The change list from ``a`` to ``b`` (each read on its own ``as_of``), with every metric before → after
    when ``metrics`` (an architecture's metrics, e.g. :func:`devocare.atlas.metrics`) is given."""
    out = ArchitectureDiff(a=a.id, b=b.id)
    body_a = {x.id: x for x in a.bodies_on()}
    body_b = {x.id: x for x in b.bodies_on()}
    out.bodies_created = [
        {"id": i, "name": body_b[i].name, "tier": body_b[i].tier, "leadership": body_b[i].leadership}
        for i in body_b
        if i not in body_a
    ]
    out.bodies_abolished = [
        {"id": i, "name": body_a[i].name, "tier": body_a[i].tier, "leadership": body_a[i].leadership}
        for i in body_a
        if i not in body_b
    ]
    for i in body_a.keys() & body_b.keys():
        changes = {}
        for name in _BODY_FIELDS:
            va, vb = getattr(body_a[i], name), getattr(body_b[i], name)
            if va != vb:
                changes[name] = {"from": va, "to": vb}
        if changes:
            out.bodies_changed.append({"id": i, "changes": changes})
    out.bodies_changed.sort(key=lambda c: c["id"])

    held_a, held_b = _holders(a), _holders(b)
    for key in sorted(held_a.keys() | held_b.keys()):
        ha, hb = held_a.get(key, {}), held_b.get(key, {})
        if ha != hb:
            out.functions_moved.append({"function": key, "from": _fmt(ha), "to": _fmt(hb)})

    # merges: an abolished body whose functions all went to one surviving body (and splits, the reverse)
    def successors(body: str, before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> set[str]:
        """The one body that took on at least three-quarters of ``body``'s functions (a share of a function
        counts: the 2025 delegation leaves part of specialised commissioning with ICBs), else every heir."""
        keys = [k for k, h in before.items() if body in h]
        if not keys:
            return set()
        heirs = {h for k in keys for h in after.get(k, {})}
        main = [h for h in heirs if sum(h in after.get(k, {}) for k in keys) >= 0.75 * len(keys)]
        return set(main) if len(main) == 1 else heirs

    for row in out.bodies_abolished:
        succ = successors(row["id"], held_a, held_b)
        if len(succ) == 1 and next(iter(succ)) in body_a:
            out.bodies_merged.append({"body": row["id"], "into": next(iter(succ))})
    for row in out.bodies_created:
        pred = successors(row["id"], held_b, held_a)
        if len(pred) == 1 and next(iter(pred)) in body_b:
            out.bodies_split_out.append({"body": row["id"], "from": next(iter(pred))})

    pots_a, pots_b = _line_pots(a), _line_pots(b)
    for line in sorted(pots_a.keys() | pots_b.keys()):
        if pots_a.get(line) != pots_b.get(line):
            out.money_rerouted.append({"line": line, "from": pots_a.get(line), "to": pots_b.get(line)})
    flows_a = {f.id: f for f in a.flows_on()}
    flows_b = {f.id: f for f in b.flows_on()}

    def flow_row(f: Any) -> dict[str, Any]:
        return {"id": f.id, "from": f.from_, "to": f.to, "lines": list(f.lines), "amount_gbp": f.amount_gbp}

    out.flows_opened = [flow_row(flows_b[i]) for i in sorted(flows_b.keys() - flows_a.keys())]
    out.flows_closed = [flow_row(flows_a[i]) for i in sorted(flows_a.keys() - flows_b.keys())]
    rules_a, rules_b = _money_rules(a), _money_rules(b)
    out.money_rules = [{"rule": k, "from": rules_a[k], "to": rules_b[k]} for k in rules_a if rules_a[k] != rules_b[k]]

    targets_a, targets_b = _targets(a), _targets(b)
    for body in sorted(targets_a.keys() | targets_b.keys()):
        if body not in body_a or body not in body_b:
            continue  # created/abolished bodies are listed above
        if targets_a.get(body, []) != targets_b.get(body, []):
            out.accountability_repointed.append(
                {"body": body, "from": targets_a.get(body, []), "to": targets_b.get(body, [])}
            )

    if metrics is not None:
        ma, mb = metrics(a), metrics(b)
        for key in ma:
            if key in ("id", "as_of", "central_headcount_bodies"):
                continue
            before, after = _none_if_nan(ma[key]), _none_if_nan(mb[key])
            if before != after:
                out.metrics.append({"metric": key, "before": before, "after": after})
    return out
