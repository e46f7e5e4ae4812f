"""Problems found in an architecture file, reported all at once with the file and the path inside it."""

from __future__ import annotations

from dataclasses import dataclass

from devocare.errors import DevocareError


@dataclass(frozen=True)
class Problem:
    """One problem: the file, the path inside it (``bodies[3].leadership``) and what was expected."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class ArchitectureError(DevocareError):
    """An architecture that cannot be loaded: every problem found, none of it loaded."""

    def __init__(self, problems: list[Problem], extended: object = None) -> None:
        self.problems = list(problems)
        files = sorted({p.file for p in self.problems})
        head = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} in {', '.join(files)}"
        if extended:
            head += f" (paths index the architecture after merging it over {extended!r})"
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in self.problems))


def format_loc(loc: tuple[object, ...]) -> str:
    """``('bodies', 3, 'leadership')`` → ``bodies[3].leadership``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
