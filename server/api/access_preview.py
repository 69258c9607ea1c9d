"""Who would lose and who would gain access if a thread moved to another audience, asked before
the change: the header editor shows it, then sends the confirmed PATCH. (The PATCH without
`confirm` answers the same with a 409; a page that asks first logs no error for an expected
answer.)"""

from ninja import Router

from server.access import access_thread
from server.actions.threads import access_change
from server.api.schemas import ERRORS, AccessChangeOut, ErrorOut
from server.api.session import person, signed_in
from server.errors import forbidden
from server.models import User
from server.validation import clean_audience

router = Router(tags=["threads"], auth=signed_in)


@router.get("/threads/{int:thread_id}/access-change", response={200: AccessChangeOut,
                                                                ERRORS: ErrorOut})
def preview_access_change(request, thread_id: int, audience: str = ""):
    """`{access_change: {losing, gaining}}` for moving the thread to `audience`; changes nothing."""
    who = person(request)
    thread = access_thread(who, thread_id, live=True)
    if not who.is_staff:
        raise forbidden("not_allowed", "Only staff can edit a thread's header.")
    target = clean_audience(audience)
    losing, gaining = access_change(thread, target) if target != thread.audience else ([], [])
    names = {u.pk: u.display_name
             for u in User.objects.filter(pk__in=[p.user_id for p in losing + gaining])}
    return {"access_change": {
        "losing": [{"id": p.user_id, "name": names[p.user_id]} for p in losing],
        "gaining": [{"id": p.user_id, "name": names[p.user_id]} for p in gaining],
    }}
