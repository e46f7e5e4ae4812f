"""The one exception route code raises to answer with a problem document.

It lives apart from :mod:`devocare.web.problems` (which renders problem documents and error pages) so that
modules the renderer itself needs, such as :mod:`devocare.web.auth`, can raise it without an import cycle.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ProblemError"]


class ProblemError(Exception):
    """Raised by route code to answer with a problem document of a given status."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.extra, self.headers = status, detail, extra, headers
