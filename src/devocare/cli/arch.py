"""``devocare arch``: list, show, validate, measure and diff health and care architectures."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import cast

import typer
import yaml

from devocare import architecture as A
from devocare.cli.output import TableFormat, emit_object, emit_table, to_json

app = typer.Typer(help="Architectures as code: the systems of the source documents and your own.", no_args_is_help=True)


class ShowFormat(StrEnum):
    """Output formats for ``arch show``."""

    yaml = "yaml"
    json = "json"
    mermaid = "mermaid"
    dot = "dot"


class DiffFormat(StrEnum):
    """Output formats for ``arch diff``."""

    text = "text"
    json = "json"
    markdown = "markdown"


@app.command("list")
def list_(fmt: TableFormat = typer.Option(TableFormat.table, "--format", help="table, csv or json")) -> None:
    """The built-in architectures: id, name, date described, what each extends, size."""
    import pandas as pd

    rows = []
    for arch_id in A.builtin_ids():
        arch = A.load(arch_id)
        rows.append(
            {
                "id": arch.id,
                "name": arch.name,
                "as_of": arch.as_of.isoformat(),
                "extends": arch.extends or "",
                "bodies": len(arch.bodies_on()),
                "functions": len({f.key for f in arch.functions_on()}),
            }
        )
    emit_table(pd.DataFrame(rows), fmt)


@app.command()
def show(
    arch_id: str = typer.Argument(..., metavar="ID", help="Built-in id or YAML file"),
    fmt: ShowFormat = typer.Option(ShowFormat.yaml, "--format", help="yaml, json, mermaid or dot"),
) -> None:
    """One architecture with extends: resolved: as YAML/JSON data or as a Mermaid or Graphviz graph."""
    from devocare import atlas

    arch = A.load(arch_id)
    if fmt is ShowFormat.mermaid:
        typer.echo(atlas.to_mermaid(arch), nl=False)
    elif fmt is ShowFormat.dot:
        typer.echo(atlas.to_dot(arch), nl=False)
    else:
        data = _resolved(arch)
        if fmt is ShowFormat.json:
            typer.echo(to_json(data))
        else:
            for flow in cast(list[dict[str, object]], data.get("flows", [])):
                if "amount_data" in flow:
                    flow.pop("amount_gbp", None)  # re-read from the dataset on load
            head = f"# {arch.id}, resolved over {arch.extends} (loadable as it stands)\n" if arch.extends else ""
            typer.echo(head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), nl=False)


def _resolved(arch: A.Architecture) -> dict[str, object]:
    """The architecture as plain data with ``extends:`` already applied (so it is dropped), header keys first."""
    data = arch.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("extends", None)
    first = ["id", "name", "description", "as_of", "sources"]
    return {k: data[k] for k in first if k in data} | {k: v for k, v in data.items() if k not in first}


@app.command()
def validate(file: Path = typer.Argument(..., help="Architecture YAML file")) -> None:
    """Check a file; every problem is listed with its path (exit code 2 if any).

    Beyond the schema, the typed funding flows are checked against the money section (one money truth):
    each flow's lines must reach a pot its recipient holds, each pot's holder must be funded, and a typed
    amount must agree with the base-year money the simulator allocates."""
    from devocare.atlas import money_problems

    arch = A.load(str(file))
    problems = money_problems(arch, file=str(file))
    if problems:
        raise A.ArchitectureError(problems)
    typer.echo(
        f"valid: {arch.id} ({len(arch.bodies)} bodies, {len(arch.functions)} function holdings, "
        f"{len(arch.accountability)} accountability edges, {len(arch.flows)} funding flows; "
        f"as of {arch.as_of}{', extends ' + arch.extends if arch.extends else ''})"
    )


@app.command()
def metrics(
    arch_ids: list[str] = typer.Argument(..., metavar="ID...", help="Built-in ids or YAML files"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format", help="table (side by side), csv or json"),
) -> None:
    """Structural metrics of one or more architectures, side by side."""
    from devocare import atlas

    table = atlas.metrics_table(list(arch_ids))
    if fmt is TableFormat.table:
        side = table.set_index("id").T.reset_index().rename(columns={"index": "metric"})
        emit_table(side, fmt)
    else:
        emit_table(table, fmt)


@app.command()
def diff(
    a: str = typer.Argument(..., help="From: built-in id or YAML file"),
    b: str = typer.Argument(..., help="To: built-in id or YAML file"),
    fmt: DiffFormat = typer.Option(DiffFormat.text, "--format", help="text, json or markdown"),
) -> None:
    """The reorganisation from A to B: bodies, functions, money, accountability, metrics before → after."""
    from devocare import atlas

    d = atlas.diff(a, b)
    if fmt is DiffFormat.json:
        emit_object(d.to_dict())
    elif fmt is DiffFormat.markdown:
        typer.echo(d.to_markdown(), nl=False)
    else:
        typer.echo(d.to_text(), nl=False)


@app.command()
def chain(
    arch_id: str = typer.Argument(..., metavar="ID", help="Built-in id or YAML file"),
    body: str = typer.Argument(..., help="Body id (e.g. icb, combined_authority)"),
) -> None:
    """Who a body answers to, step by step, up to its nearest electorate (JSON)."""
    emit_object(A.chain_summary(A.load(arch_id), body))
