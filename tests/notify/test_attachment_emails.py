"""Emails about messages with attachments carry neither the files nor their names."""

from server.models import User
from tests.api.attachment_files import PDF, uploaded
from tests.notify.conftest import assert_no_phi, deliver

NAME = "Dana-insurance-card-front"


def test_notices_of_messages_with_files_name_no_file(world, as_user, smtp):
    User.objects.filter(pk=world.cleo.pk).update(email_audiences=["clinical"])
    dana, cleo = as_user(world.dana.user), as_user(world.cleo)
    mine = uploaded(dana, f"{NAME}.pdf", PDF)
    r = dana.post("/api/threads", {"audience": "clinical", "subject": "Card", "body": "",
                                   "attachments": [mine["id"]]})
    assert r.status_code == 201, r.content
    # Cleo's notice goes before she replies (replying reviews the thread: a waiting one drops).
    assert deliver() == 1
    theirs = uploaded(cleo, f"{NAME}-back.png")
    r = cleo.post(f"/api/threads/{r.json()['thread']['id']}/messages",
                  {"body": "Thanks", "attachments": [theirs["id"]]})
    assert r.status_code == 201, r.content
    assert deliver() == 1 and len(smtp.received) == 2
    assert {item.to for item in smtp.received} == {world.cleo.email, world.dana.email}
    assert_no_phi(smtp.received, [NAME, ".pdf", ".png", "Card"])
    for item in smtp.received:
        assert not item.email.is_multipart() and not list(item.email.iter_attachments())
        assert len(item.content) < 5000
