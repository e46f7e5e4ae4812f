"""HTML pages: each is a GET view whose query string restores it, with CSV downloads of its data."""

from fastapi import APIRouter

from devocare.web.pages import (
    allocation,
    architectures,
    area,
    budget,
    glossary,
    home,
    login,
    minimum,
    outcomes,
    outcomes_evaluation,
    outcomes_indicators,
    outcomes_profile,
    reforms,
    saved,
    simulate,
)

router = APIRouter(include_in_schema=False)
router.include_router(home.router)
router.include_router(area.router)
router.include_router(budget.router)
router.include_router(reforms.router)
router.include_router(minimum.router)
router.include_router(glossary.router)
router.include_router(allocation.router)
router.include_router(outcomes_evaluation.router)
router.include_router(outcomes_indicators.router)
router.include_router(outcomes_profile.router)
router.include_router(outcomes.router)
router.include_router(simulate.router)
router.include_router(architectures.router)
router.include_router(saved.router)
router.include_router(login.router)
