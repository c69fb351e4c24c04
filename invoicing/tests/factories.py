"""The handover's explanation checklist, every point ticked (the work order ready for invoicing: workshop/testing.py)."""

from datetime import date

EXPLAINED = {
    "jobs_explained": True,
    "deferred_explained": True,
    "unfixed_explained": True,
    "parts_shown": True,
    "price_matches": True,
    "followup_announced": True,
    "next_service_date": date(2027, 11, 1),
    "next_service_km": 63_000,
}
