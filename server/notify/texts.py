"""The words of every email Cairn sends — and nothing else.

No PHI, ever: no client name, no thread subject, topic or body, no clinician name. An email says
which practice it is from and where to sign in; everything else stays behind the sign-in.
Each function returns `(subject, body)` as plain text.
"""

from django.conf import settings

STAFF_NOTICE = "staff_notice"
CLIENT_NOTICE = "client_notice"
INVITATION = "invitation"
PASSWORD_RESET = "password_reset"
URGENT_NOTICE = "urgent_notice"
URGENT_ESCALATION = "urgent_escalation"

# What an invitation's body says in place of its link once the email has gone out.
LINK_REMOVED = "[link removed after sending]"


def _url(path: str) -> str:
    return f"{settings.PUBLIC_URL}{path}"


def _one_line(name: str) -> str:
    # A header cannot hold a line break (Django refuses the whole email): keep names on one line.
    return " ".join(name.split())


def staff_notice(practice_name: str) -> tuple[str, str]:
    """A client wrote in a thread the staff member follows."""
    practice_name = _one_line(practice_name)
    subject = f"New secure message - {practice_name}"
    body = (
        f"You have a new secure message from a client of {practice_name}.\n"
        "\n"
        f"Sign in to read it: {_url('/inbox')}\n"
        "\n"
        "You will not get another email about this conversation until you have opened it\n"
        "or marked it read.\n"
        "For privacy, this email does not contain the message or who sent it.\n"
    )
    return subject, body


def urgent_notice(practice_name: str) -> tuple[str, str]:
    """A thread the staff member sees became urgent (crisis language, or marked by staff)."""
    practice_name = _one_line(practice_name)
    subject = f"URGENT secure message - {practice_name}"
    body = (
        f"A conversation with a client of {practice_name} was marked urgent.\n"
        "\n"
        f"Sign in now to read it and acknowledge it: {_url('/inbox')}\n"
        "\n"
        "For privacy, this email does not contain the message or who sent it.\n"
    )
    return subject, body


def urgent_escalation(practice_name: str) -> tuple[str, str]:
    """An urgent thread is still unacknowledged (CAIRN_URGENT_ESCALATE_SECONDS)."""
    practice_name = _one_line(practice_name)
    subject = f"URGENT, still unacknowledged - {practice_name}"
    body = (
        f"An urgent conversation with a client of {practice_name} has not been acknowledged yet.\n"
        "\n"
        f"Sign in now to read it and acknowledge it: {_url('/inbox')}\n"
        "\n"
        "For privacy, this email does not contain the message or who sent it.\n"
    )
    return subject, body


def client_notice(practice_name: str) -> tuple[str, str]:
    """Staff wrote to a client who has a portal account."""
    practice_name = _one_line(practice_name)
    subject = f"New secure message from {practice_name}"
    body = (
        f"{practice_name} has sent you a new secure message.\n"
        "\n"
        f"Sign in to read it: {_url('/portal')}\n"
        "\n"
        "For your privacy, this email does not contain the message.\n"
    )
    return subject, body


def invitation(practice_name: str, link: str) -> tuple[str, str]:
    """A single-use link to create a portal account (valid INVITATION_TTL_DAYS)."""
    practice_name = _one_line(practice_name)
    days = settings.INVITATION_TTL_DAYS
    subject = f"Your secure messaging account at {practice_name}"
    body = (
        f"{practice_name} invites you to its secure messaging portal.\n"
        "\n"
        f"Create your account here: {link}\n"
        "\n"
        f"The link works once and expires in {days} days. If you did not expect this email, "
        "you can ignore it.\n"
    )
    return subject, body


def password_reset(practice_name: str, link: str) -> tuple[str, str]:
    """A single-use link to set a new password (valid one hour)."""
    practice_name = _one_line(practice_name)
    subject = f"Reset your password - {practice_name}"
    body = (
        f"Someone asked to reset the password of your secure messaging account at {practice_name}.\n"
        "\n"
        f"Choose a new password here: {link}\n"
        "\n"
        "The link works once and expires in 1 hour. If you did not ask for this, you can ignore\n"
        "this email: your password stays as it is.\n"
    )
    return subject, body
