"""REST API under /api/v1: one router per capability, JSON in and out, problem documents for errors."""

from fastapi import APIRouter

from devocare.web.api import areas

router = APIRouter()
router.include_router(areas.router)
