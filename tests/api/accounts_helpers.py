"""Shared steps of the account tests: signing in over HTTP, and reading links from real emails."""

import re

from tests.factory import PASSWORD, JsonClient
from tests.notify.conftest import deliver

NEW_PASSWORD = "a quite different passphrase"


def sign_in(username, password=PASSWORD, *, ip="10.0.0.1", agent="Mozilla/5.0 (X11; Linux x86_64) "
            "Gecko/20100101 Firefox/140.0", api=None):
    """(client, response) after POST /api/auth/login from `ip` with a browser's User-Agent."""
    api = api or JsonClient(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    return api, api.post("/api/auth/login", {"username": username, "password": password})


def link_in_mail(smtp, address) -> str:
    """Deliver the outbox and return the one link in the newest email to `address`."""
    deliver()
    mails = smtp.to(address)
    assert mails, f"no email to {address}"
    links = re.findall(r"https?://\S+", mails[-1].body)
    assert len(links) == 1, mails[-1].body
    return links[0]


def token_of(link: str) -> str:
    assert "/reset#" in link, link
    return link.split("#", 1)[1]
