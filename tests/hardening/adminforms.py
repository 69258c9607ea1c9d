"""Django's admin driven as a browser would: a signed-in session posting its change forms,
each form filled with the record's current values and the fields a test changes."""

import json

from django.test import Client as Browser

from server.models import Client, Practice, StaffRole, User


def admin_browser(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def _post(browser, path, data):
    response = browser.post(path, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def change_user(browser, user, **changes):
    """Post the user's change form: username, name, email, is_active, roles, supervises."""
    user = User.objects.get(pk=user.pk)
    data = {"username": user.username, "name": user.name, "email": user.email,
            "is_active": user.is_active,
            "roles": list(StaffRole.objects.filter(user=user).values_list("role", flat=True)),
            "supervises": list(user.supervises.values_list("pk", flat=True))}
    data.update(changes)
    if not data["is_active"]:
        del data["is_active"]  # an unticked checkbox is not sent
    return _post(browser, f"/admin/server/user/{user.pk}/change/", data)


def change_client(browser, client, **changes):
    """Post the client's change form: name, email, portal account (`user`), clinicians."""
    client = Client.objects.get(pk=client.pk)
    data = {"name": client.name, "email": client.email or "", "user": client.user_id or "",
            "clinicians": list(client.clinicians.values_list("pk", flat=True))}
    data.update(changes)
    return _post(browser, f"/admin/server/client/{client.pk}/change/", data)


def change_practice(browser, practice, **changes):
    """Post the practice's change form: name, the portal switch and the safety settings."""
    practice = Practice.objects.get(pk=practice.pk)
    data = {"name": practice.name, "portal_enabled": practice.portal_enabled,
            "guidelines": practice.guidelines, "timezone": practice.timezone,
            "hours": json.dumps(practice.hours), "after_hours_reply": practice.after_hours_reply,
            "crisis_resources": practice.crisis_resources,
            "require_two_factor": practice.require_two_factor}
    data.update(changes)
    for checkbox in ("portal_enabled", "require_two_factor"):
        if not data[checkbox]:
            del data[checkbox]  # an unticked checkbox is not sent
    return _post(browser, f"/admin/server/practice/{practice.pk}/change/", data)


def set_password(browser, user, password):
    return _post(browser, f"/admin/server/user/{user.pk}/password/",
                 {"usable_password": "true", "password1": password, "password2": password})
