"""Whether the office is open now (SPEC §4 "Safety"): what the portal tells a client before
they send ("The office is closed now; we reply from …")."""

from django.utils import timezone
from ninja import Router

from rules.hours import has_hours, is_open, next_opening
from server.api.schemas import ERRORS, ErrorOut, OfficeOut
from server.api.session import person, signed_in
from server.models import Practice
from server.serialize import iso

router = Router(tags=["practice"], auth=signed_in)


@router.get("/practice/office", response={200: OfficeOut, ERRORS: ErrorOut})
def office_now(request):
    """`open`, and `next_opening` (null while open, without hours, or when it never opens);
    a practice without hours counts as open."""
    person(request)
    practice = Practice.objects.get(pk=request.user.practice_id)
    now = timezone.now()
    if not has_hours(practice.hours) or is_open(now, practice.timezone, practice.hours):
        return {"open": True, "next_opening": None, "timezone": practice.timezone}
    opening = next_opening(now, practice.timezone, practice.hours)
    return {"open": False, "next_opening": iso(opening), "timezone": practice.timezone}
