"""Print a pip constraints file pinning every runtime dependency of pyproject.toml to its lower bound.

``pip install -c <(python .ci/min-constraints.py) '.[all,dev]'`` then installs the oldest releases the
project declares it supports, so CI proves the declared lower bounds (the development tools in ``dev`` and
``docs`` are left free: they are not what a user's environment holds).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

#: Extras whose packages are tools for working on devocare, not what it runs with.
TOOL_EXTRAS = {"dev", "docs"}
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*>=\s*([0-9][A-Za-z0-9.]*)")


def pins(pyproject: Path) -> dict[str, str]:
    """Distribution name → lowest declared version, from the core dependencies and the runtime extras."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra, items in project.get("optional-dependencies", {}).items():
        if extra not in TOOL_EXTRAS:
            requirements += items
    found: dict[str, str] = {}
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        if match is None:  # a self-reference such as devocare[charts], or no lower bound
            continue
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        if name != "devocare":
            found[name] = match.group(3)
    return found


def main() -> None:
    """Write the constraints to stdout."""
    root = Path(__file__).resolve().parent.parent
    for name, version in sorted(pins(root / "pyproject.toml").items()):
        sys.stdout.write(f"{name}=={version}\n")


if __name__ == "__main__":
    main()
