"""The service lines every capability shares: architecture commissioning, allocation envelopes,
simulation arrays and minimum service levels all use these ids, in this order."""

from __future__ import annotations

from devocare.errors import UnknownChoiceError

#: id → (title, group). "upstream" lines are the prevention side that lowers non-elective admissions.
SERVICE_LINES: dict[str, tuple[str, str]] = {
    "specialised": ("Specialised services", "hospital"),
    "acute_elective": ("Acute elective care", "hospital"),
    "acute_non_elective": ("Acute non-elective (emergency) care", "hospital"),
    "mental_health": ("Mental health services", "hospital"),
    "community_health": ("Community health services", "upstream"),
    "primary_medical": ("Primary medical care (general practice)", "upstream"),
    "prescribing": ("Prescribing", "other"),
    "adult_social_care": ("Adult social care", "care"),
    "public_health": ("Public health", "upstream"),
    "wider_determinants": ("Wider health-creating services", "upstream"),
}
LINE_IDS: tuple[str, ...] = tuple(SERVICE_LINES)
ACUTE_LINES: tuple[str, ...] = ("acute_elective", "acute_non_elective")
UPSTREAM_LINES: tuple[str, ...] = tuple(k for k, (_, g) in SERVICE_LINES.items() if g == "upstream")


def check_lines(lines: list[str]) -> list[str]:
    """Validate a list of service-line ids, naming the first unknown one and the closest valid id."""
    for line in lines:
        if line not in SERVICE_LINES:
            raise UnknownChoiceError("service line", line, LINE_IDS)
    return lines
