"""Write the hostile-input corpus: malformed or hostile architecture and scenario files, one problem each.

Run ``python tests/security/hostile/generate.py`` after changing a case; the files and ``manifest.json``
(file → kind and a fragment the error must contain) are committed, and a test checks they match this script.
Most architectures extend a built-in and break one thing, so the error must be about that thing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEAD = "id: hostile\nname: Hostile\nsources: ['assumption: hostile-input test']\n"
SQ = HEAD + "extends: status-quo-2023\n"
SPLIT = HEAD + "extends: reform-split-2024\n"


def _money(body: str, base: str = SQ) -> str:
    return base + "money:\n" + "".join(f"  {line}\n" for line in body.splitlines())


def _body(fields: str, body_id: str = "nhse") -> str:
    return SQ + f"bodies:\n  - {{id: {body_id}, {fields}}}\n"


def _flow(fields: str, flow_id: str = "specialised_commissioning") -> str:
    return SQ + f"flows:\n  - {{id: {flow_id}, {fields}}}\n"


def _deep(levels: int) -> str:
    return SQ + "description: " + "[" * levels + "]" * levels + "\n"


BOMB = SQ + "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else '"lol"'] * 9) + "]\n" for i in range(9))

#: name → (file content, fragment the error names)
ARCHITECTURES: dict[str, tuple[str | bytes, str]] = {
    # --- not an architecture document at all
    "empty": ("", "expected a YAML mapping"),
    "only_comment": ("# nothing here\n", "expected a YAML mapping"),
    "top_level_list": ("- id: x\n- id: y\n", "expected a YAML mapping"),
    "top_level_scalar": ("just some text\n", "expected a YAML mapping"),
    "top_level_null": ("~\n", "expected a YAML mapping"),
    "unclosed_bracket": (SQ + "bodies: [\n", "invalid YAML"),
    "tab_indentation": (SQ + "money:\n\tindexation: 0.1\n", "invalid YAML"),
    "bad_indentation": (SQ + "money:\n  indexation: 0.1\n settlement_years: 2\n", "invalid YAML"),
    "latin1_bytes": ((SQ + "name: Caf\xe9\n").encode("latin-1"), "not UTF-8"),
    "utf16": (SQ.encode("utf-16"), "not UTF-8"),
    "nul_byte": (SQ.encode() + b"description: a\x00b\n", "invalid YAML"),
    "lone_surrogate": (SQ + 'description: "\\uD800 broken text"\n', "Unicode"),
    "unhashable_key": (SQ + "? [a, b]\n: 1\n", "invalid YAML"),
    # --- YAML features refused: aliases (billion laughs), tags that build objects or fail
    "billion_laughs": (BOMB, "anchors (&l0) are not accepted"),
    "anchor_only": (SQ + "description: &d text\n", "anchors (&d) are not accepted"),
    "merge_key": (SQ + "base: &b {x: 1}\nother:\n  <<: *b\n", "anchors (&b) are not accepted"),
    "alias_without_anchor": (SQ + "description: *nothing\n", "invalid YAML"),
    "duplicate_top_key": (SQ + "name: Again\n", "duplicate key 'name'"),
    "duplicate_nested_key": (_money("indexation: 0.1\nindexation: 0.2"), "duplicate key 'indexation'"),
    "python_object": (SQ + 'description: !!python/object/apply:os.system ["id"]\n', "YAML tag !!python/object"),
    "python_name": (SQ + "description: !!python/name:os.system\n", "YAML tag !!python/name"),
    "custom_tag": (SQ + "description: !shell rm -rf /\n", "YAML tag !shell"),
    "set_tag": (SQ + "description: !!set {a, b}\n", "YAML tag !!set"),
    "int_tag_on_text": (SQ + "description: !!int abc\n", "cannot be read"),
    "timestamp_tag_on_text": (SQ + "description: !!timestamp abc\n", "does not match its explicit tag"),
    "binary_tag": (SQ + "description: !!binary 'aGVsbG8='\n", "YAML tag !!binary"),
    "deep_list_200": (_deep(200), "nesting"),
    "deep_list_5000": (_deep(5000), "nesting"),
    "deep_mapping_300": (SQ + "description: " + "{a: " * 300 + "1" + "}" * 300 + "\n", "nesting"),
    # --- impossible and out-of-range dates
    "as_of_feb_30": (SQ + "as_of: 2024-02-30\n", "impossible date '2024-02-30'"),
    "as_of_month_13": (SQ + "as_of: 2024-13-01\n", "impossible date '2024-13-01'"),
    "as_of_year_0": (SQ + "as_of: 0000-01-01\n", "impossible date '0000-01-01'"),
    "as_of_day_0": (SQ + "as_of: 2024-01-00\n", "impossible date '2024-01-00'"),
    "as_of_quoted_feb_30": (SQ + "as_of: '2024-02-30'\n", "as_of"),
    "as_of_year_9999": (SQ + "as_of: 9999-01-01\n", "outside 1900-01-01 to 2200-12-31"),
    "as_of_number": (SQ + "as_of: 20240401\n", "as_of"),
    "as_of_text": (SQ + "as_of: next spring\n", "as_of"),
    "body_start_feb_31": (_body("start: 2025-02-31"), "impossible date '2025-02-31'"),
    "flow_end_month_0": (_flow("end: 2025-00-10"), "impossible date '2025-00-10'"),
    "datetime_hour_25": (SQ + "as_of: 2024-04-01 25:00:00\n", "impossible date"),
    # --- numbers that are not finite
    "cap_nan": (_money("hospital_input_cap: .nan"), "finite number"),
    "cap_inf": (_money("hospital_input_cap: .inf"), "finite number"),
    "cap_minus_inf": (_money("hospital_input_cap: -.inf"), "finite number"),
    "cap_overflow": (_money("hospital_input_cap: 1.0e+400"), "finite number"),
    "indexation_nan": (_money("indexation: .NaN"), "finite number"),
    "indexation_inf": (_money("indexation: .Inf"), "finite number"),
    "amount_nan": (_flow("amount_gbp: .nan"), "finite number"),
    "amount_inf": (_flow("amount_gbp: .inf"), "finite number"),
    "line_share_nan": (_flow("line_shares: {specialised: .nan}"), "finite number"),
    "running_cost_inf": (_body("running_cost_gbp: .inf"), "finite number"),
    "scale_nan": (
        _flow(
            "amount_data: {dataset: nhse_icb_allocations_2023_25_icb_core_allocations_2023_24, column: x, scale: .nan}",
            "icb_core_allocation",
        ),
        "finite number",
    ),
    "top_slice_nan": (
        _money("incentive_fund: {top_slice: .nan, criteria: [telemedicine], sources: ['assumption: x']}", SPLIT),
        "finite number",
    ),
    "cofinancing_share_inf": (
        _money("co_financing: {share: .inf, sources: ['assumption: x']}", SPLIT),
        "finite number",
    ),
    # --- numbers out of range
    "indexation_minus_200pc": (_money("indexation: -2"), "greater than or equal to -1"),
    "cap_minus_150pc": (_money("hospital_input_cap: -1.5"), "greater than or equal to -1"),
    "amount_negative": (_flow("amount_gbp: -25000000000"), "greater than or equal to 0"),
    "line_share_above_1": (
        _flow(
            "line_shares: {acute_elective: 1.5, acute_non_elective: -0.5, "
            "mental_health: 0, community_health: 0, prescribing: 0}",
            "icb_core_allocation",
        ),
        "less than or equal to 1",
    ),
    "line_share_negative": (
        _flow(
            "line_shares: {acute_elective: 1.2, acute_non_elective: -0.2, "
            "mental_health: 0, community_health: 0, prescribing: 0}",
            "icb_core_allocation",
        ),
        "greater than or equal to 0",
    ),
    "flow_share_above_1": (_flow("share: 1.5", "dhsc_to_nhse"), "less than or equal to 1"),
    "flow_share_negative": (_flow("share: -0.1", "dhsc_to_nhse"), "greater than or equal to 0"),
    "headcount_negative": (_body("headcount: -5"), "greater than or equal to 0"),
    "running_cost_negative": (_body("running_cost_gbp: -1"), "greater than or equal to 0"),
    "count_reported_negative": (_body("count_reported: -3"), "greater than or equal to 0"),
    "headcount_fraction": (_body("headcount: 2.5"), "headcount"),
    "board_members_negative": (
        SQ + "bodies:\n  - id: icb\n    board: {members: {lay: -4}, sources: ['assumption: x']}\n",
        "greater than or equal to 0",
    ),
    "board_minimum_negative": (
        SQ + "bodies:\n  - id: icb\n    board: {minimum: {chair: -1}, sources: ['assumption: x']}\n",
        "greater than or equal to 0",
    ),
    "settlement_zero": (_money("settlement_years: 0"), "greater than or equal to 1"),
    "settlement_million": (_money("settlement_years: 1000000"), "less than or equal to 100"),
    "settlement_fraction": (_money("settlement_years: 2.5"), "settlement_years"),
    "settlement_text": (_money("settlement_years: five"), "settlement_years"),
    "savings_retained_2": (_money("savings_retained: 2"), "less than or equal to 1"),
    "overspend_negative": (_money("overspend_borne_locally: -1"), "greater than or equal to 0"),
    "cofinancing_share_1_2": (
        _money("co_financing: {share: 1.2, sources: ['assumption: x']}", SPLIT),
        "less than or equal to 1",
    ),
    "rebasing_shift_5": (
        _money("rebasing: {share_of_activity_shift: 5, sources: ['assumption: x']}", SPLIT),
        "less than or equal to 1",
    ),
    "scale_negative": (
        _flow(
            "amount_data: {dataset: nhse_icb_allocations_2023_25_icb_core_allocations_2023_24, "
            "column: x, scale: -1000}",
            "icb_core_allocation",
        ),
        "greater than or equal to 0",
    ),
    "function_share_zero": (SQ + "functions:\n  - {id: workforce, share: 0}\n", "greater than 0"),
    # --- extends: paths, references and cycles
    "extends_etc_passwd": (HEAD + "extends: /etc/passwd\n", "is outside"),
    "extends_dotdot_shadow": (HEAD + "extends: ../../../../../../etc/shadow\n", "is outside"),
    "extends_proc": (HEAD + "extends: /proc/self/environ\n", "is outside"),
    "extends_url": (HEAD + "extends: https://example.com/arch.yaml\n", "no built-in architecture or file"),
    "extends_saved_on_cli": (HEAD + "extends: saved:999999999\n", "only in the web app"),  # an id no test saves
    "extends_saved_traversal": (HEAD + "extends: saved:../../etc/passwd\n", "must read saved:<number>"),
    "extends_list": (HEAD + "extends: [status-quo-2023]\n", "expected a built-in id"),
    "extends_empty": (HEAD + "extends: ''\n", "expected a built-in id"),
    "extends_itself": (HEAD + "extends: {SELF}\n", "extends cycle"),
    "extends_typo": (HEAD + "extends: status-quo-2032\n", "did you mean 'status-quo-2023'"),
    # --- structure and references
    "id_missing": ("name: No id\nas_of: 2024-04-01\nsources: ['assumption: x']\n", "required key is missing"),
    "id_uppercase": (SQ.replace("id: hostile", "id: Hostile!"), "must be lower-case"),
    "id_traversal": (SQ.replace("id: hostile", "id: ../../etc"), "must be lower-case"),
    "unknown_top_key": (SQ + "bodys: []\n", "unknown key 'bodys'"),
    "bodies_not_a_list": (SQ + "bodies: everyone\n", "bodies"),
    "body_kind_invalid": (_body("kind: secret_police"), "is not valid; expected one of"),
    "body_tier_invalid": (_body("tier: galactic"), "is not valid; expected one of"),
    "sources_empty": (SQ.replace("sources: ['assumption: hostile-input test']", "sources: []"), "sources"),
    "source_unlabelled": (SQ.replace("'assumption: hostile-input test'", "'trust me'"), "must start with"),
    "source_seed_009": (SQ.replace("'assumption: hostile-input test'", "'seed 009 §1'"), "no seed file '009'"),
    "holder_unknown": (SQ + "functions:\n  - {id: workforce, holder: ministry_of_magic}\n", "unknown body"),
    "function_domain_unknown": (
        SQ + "functions:\n  - {id: telepathy, holder: nhse, sources: ['assumption: x']}\n",
        "unknown function domain",
    ),
    "pot_line_unknown": (
        SQ + "money:\n  pots:\n    - {id: icb_core, lines: [teleportation]}\n",
        "is not valid; expected one of",
    ),
    "pot_lines_empty": (SQ + "money:\n  pots:\n    - {id: icb_core, lines: []}\n", "lines"),
    "coverage_code_unknown": (
        _money("coverage: {devolved: [E47999999], sources: ['assumption: x']}", SPLIT),
        "no ca area 'E47999999'",
    ),
    "coverage_otherwise_unknown": (
        _money("coverage: {devolved: all, otherwise: utopia, sources: ['assumption: x']}", SPLIT),
        "unknown built-in 'utopia'",
    ),
    "money_not_a_mapping": (SQ + "money: lots\n", "money"),
    "bool_as_settlement": (_money("settlement_years: yes"), "expected a number, got True"),
    "bool_as_share": (_flow("share: on", "dhsc_to_nhse"), "expected a number, got True"),
    # --- added later (appended, so earlier files keep their names)
    "extends_nul_byte": (HEAD + 'extends: "base\\0.yaml"\n', "is not a usable file path"),
    "extends_long_path": (HEAD + "extends: " + "a/" * 3000 + "x.yaml\n", "is not a usable file path"),
}

#: name → (file content, fragment the error names)
SCENARIOS: dict[str, tuple[str | bytes, str]] = {
    "empty": ("", "expected a mapping"),
    "top_level_list": ("- funding.real_growth: 0.02\n", "expected a mapping"),
    "unknown_top_key": ("paramters: {funding.real_growth: 0.02}\n", "unknown key in scenario file"),
    "parameters_list": ("parameters: [funding.real_growth]\n", "'parameters' must be a mapping"),
    "unknown_path": ("parameters: {funding.real_grwth: 0.02}\n", "did you mean 'funding.real_growth'"),
    "nan": ("parameters: {funding.real_growth: .nan}\n", "is not a number"),
    "inf": ("parameters: {funding.real_growth: .inf}\n", "is not a number"),
    "overflow": ("parameters: {funding.real_growth: 1.0e+400}\n", "is not a number"),
    "text": ("parameters: {funding.real_growth: lots}\n", "is not a number"),
    "growth_minus_200pc": ("parameters: {funding.real_growth: -2}\n", "outside its valid range"),
    "share_above_1": ("parameters: {behaviour.reinvest_share: 1.5}\n", "outside its valid range"),
    "negative_money": ("parameters: {demand.spend.specialised: -5}\n", "outside its valid range"),
    "percent_on_money": ("parameters: {demand.spend.specialised: 5%}\n", "is a percentage"),
    "money_on_fraction": ("parameters: {funding.real_growth: £3bn}\n", "is money"),
    "boolean": ("parameters: {funding.real_growth: true}\n", "is not a number"),
    "null": ("parameters: {funding.real_growth: null}\n", "is not a number"),
    "impossible_date": ("parameters: {funding.real_growth: 2024-02-30}\n", "impossible date '2024-02-30'"),
    "date_value": ("parameters: {funding.real_growth: 2024-02-28}\n", "is not a number"),
    "list_wrong_length": ("parameters: {prevention.lag: [0, 1]}\n", "expected a list of 5 numbers"),
    "list_with_nan": ("parameters: {prevention.lag: [0, .nan, 0.5, 0.75, 1]}\n", "is not a number"),
    "list_out_of_range": ("parameters: {prevention.lag: [0, 2, 0.5, 0.75, 1]}\n", "outside its valid range"),
    "given_twice": (
        "parameters:\n  funding.real_growth: 0.02\n  funding: {real_growth: 0.05}\n",
        "funding.real_growth is given twice",
    ),
    "nested_under_leaf": ("parameters: {funding: {real_growth: {low: 0.01}}}\n", "unknown parameter path"),
    "duplicate_key": (
        "parameters:\n  funding.real_growth: 0.02\n  funding.real_growth: 0.5\n",
        "duplicate key 'funding.real_growth'",
    ),
    "alias_bomb": (
        "a: &a [1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
        "parameters: {funding.real_growth: *b}\n",
        "anchors (&a) are not accepted",
    ),
    "deep_nesting": ("parameters: " + "{a: " * 500 + "1" + "}" * 500 + "\n", "nesting"),
    "python_tag": (
        'parameters: {funding.real_growth: !!python/object/apply:os.system ["id"]}\n',
        "YAML tag !!python/object",
    ),
    "invalid_yaml": ("parameters: {funding.real_growth: 0.02\n", "not valid YAML"),
    "latin1": ("name: Caf\xe9\nparameters: {}\n".encode("latin-1"), "not UTF-8"),
    "lone_surrogate": ('name: "\\uDC00"\nparameters: {funding.real_growth: 0.02}\n', "Unicode"),
}


def files() -> dict[str, tuple[bytes, dict[str, str]]]:
    """Relative path → (content, manifest entry) for every case."""
    out: dict[str, tuple[bytes, dict[str, str]]] = {}
    for kind, cases in (("architecture", ARCHITECTURES), ("scenario", SCENARIOS)):
        for i, (name, (content, expect)) in enumerate(cases.items()):
            rel = f"{kind}s/{i:03d}_{name}.yaml"
            if isinstance(content, str):
                content = content.replace("{SELF}", rel.split("/")[1]).encode("utf-8")
            data = content
            out[rel] = (data, {"kind": kind, "expect": expect})
    return out


def write(root: Path = HERE) -> None:
    """Write every case and the manifest under ``root`` (removing stale case files)."""
    cases = files()
    for kind in ("architectures", "scenarios"):
        folder = root / kind
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.yaml"):
            if f"{kind}/{old.name}" not in cases:
                old.unlink()
    for rel, (data, _) in cases.items():
        (root / rel).write_bytes(data)
    manifest = {rel: entry for rel, (_, entry) in cases.items()}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
