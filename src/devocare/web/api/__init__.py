"""REST API under /api/v1: one router per capability, JSON in and out, problem documents for errors."""

from fastapi import APIRouter

from devocare.web.api import allocation, analysis, architectures, areas, outcomes, saved, simulation
from devocare.web.problems import problem_responses

router = APIRouter(responses=problem_responses())
router.include_router(areas.router)
router.include_router(architectures.router)
router.include_router(allocation.router)
router.include_router(outcomes.router)
router.include_router(saved.router)
router.include_router(saved.shared_router)
router.include_router(simulation.router)
router.include_router(analysis.router)
