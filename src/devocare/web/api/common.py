"""Shared API parameters: pagination within the server's page-size limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from fastapi import Query, Request

from devocare.web.frames import page
from devocare.web.problems import ProblemError


@dataclass
class Pagination:
    """1-based page number and page size."""

    page: int
    page_size: int

    def check(self, request: Request) -> None:
        """400 if the page size is over the server's limit (every paginated list calls this first)."""
        limit = request.app.state.settings.max_page_size
        if self.page_size > limit:
            raise ProblemError(400, f"page_size {self.page_size} is over the limit of {limit}")

    def apply(self, df: pd.DataFrame, request: Request) -> dict[str, Any]:
        """One page of ``df`` with total and links."""
        self.check(request)
        return page(df, request, self.page, self.page_size)


def pagination(
    page: int = Query(1, ge=1, le=1_000_000, description="Page number, from 1."),
    page_size: int = Query(100, ge=1, le=100_000, description="Rows per page (server limit applies)."),
) -> Pagination:
    """Pagination query parameters."""
    return Pagination(page, page_size)
