"""python -m server demo: the embedded default (SPEC §3). Migrates the SQLite database under
var/, loads the demo practice once (with a few threads in every audience), prints the logins and
serves on http://127.0.0.1:8000 with the email worker in-process, mail going to var/mail/."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from server.management.commands.serve import _url_host, add_server_arguments, check_port, serve
from server.practice_file import create_practice, read_practice_file

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo_practice.json"


def demo_data() -> dict:
    return read_practice_file(DEMO_FILE)


def ensure_demo_practice(data: dict | None = None):
    """The demo practice, created with its demo threads on first call. Returns (practice, created).

    Idempotent: a practice with the demo's name that already exists is left as it is."""
    from server.models import Practice

    data = data or demo_data()
    with transaction.atomic():
        existing = Practice.objects.filter(name=data["practice"]["name"]).first()
        if existing is not None:
            return existing, False
        practice = create_practice(data)
        for username, audiences in DEMO_EMAIL_AUDIENCES.items():
            practice.users.filter(username=username).update(email_audiences=audiences)
        create_demo_threads(practice)
        return practice, True


# Who chose email notices, so that var/mail/ shows them (the default is none).
DEMO_EMAIL_AUDIENCES = {
    "sam": ["administrative"],
    "bill": ["billing"],
    "cleo": ["administrative", "billing", "clinical"],
}


# (author, client, audience, topic, subject or None for the topic's, body, replies: [(author, body)])
DEMO_THREADS = [
    ("dana", "Dana Reyes", "administrative", "Scheduling", None,
     "Could we move Thursday's session to Friday afternoon?",
     [("sam", "Friday at 3 pm is open. Shall I book it?"),
      ("dana", "Yes please, thank you!")]),
    ("cleo", "Dana Reyes", "clinical", "Clinical question", "Breathing exercise",
     "Here is the breathing exercise we talked about: four counts in, hold for four, six out.",
     [("dana", "Thanks, I tried it twice this week and it helped."),
      ("cleo", "Glad to hear it. Let's talk about how it went on Thursday.")]),
    ("bill", "Gus Hale", "billing", "Billing question", None,
     "Your statement for October is ready. The balance is $40.",
     [("gus", "Does my insurance cover the intake session?")]),
    ("gus", "Gus Hale", "billing", "Insurance", None,
     "My insurance changed in November. Where do I send the new card?", []),
    ("sam", "Eli Moss", "administrative", "Forms and documents", "Intake form",
     "Please fill in the intake form before your first visit.", []),
    ("carl", "Fay Lund", "clinical", "Other", "Before our next session",
     "A few notes for our next session: bring the journal if you can.", []),
    ("hana", "Hana Ito", "administrative", "Scheduling", None,
     "Do you have any evening openings?", []),
]


def create_demo_threads(practice) -> None:
    """A few threads with replies, in every audience, written through the actions as people
    would write them (so unread marks, events and outbox rows are real)."""
    from server.actions.messages import do_send_message
    from server.actions.threads import do_start_thread
    from server.actor import Actor
    from server.models import Client, Topic, User

    users = {u.username: u for u in User.objects.filter(practice=practice)}
    clients = {c.name: c for c in Client.objects.filter(practice=practice)}
    topics = {t.name: t for t in Topic.objects.filter(practice=practice)}
    for author, client, audience, topic, subject, body, replies in DEMO_THREADS:
        topic = topics[topic]
        thread, _, _ = do_start_thread(Actor.of(users[author]), clients[client], audience, topic,
                                       subject or topic.subject, body)
        for reply_author, reply in replies:
            do_send_message(Actor.of(users[reply_author]), thread, reply)


class Command(BaseCommand):
    help = ("Run the demo: SQLite under var/, the demo practice, the email worker writing to "
            "var/mail/, and the server on http://127.0.0.1:8000. Prints the logins.")

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, *args, host, port, no_worker, verbosity, **options):
        check_port(host, port)
        self.stdout.write("Preparing the database ...")
        call_command("migrate", interactive=False, verbosity=0)
        data = demo_data()
        practice, created = ensure_demo_practice(data)
        self.stdout.write(f"{'Created' if created else 'Using'} the demo practice "
                          f'"{practice.name}".')
        self.print_logins(data, f"http://{_url_host(host)}:{port}/")
        serve(host, port, worker=not no_worker)

    def print_logins(self, data: dict, url: str) -> None:
        clients_of = {}
        for client in data["clients"]:
            for username in client.get("clinicians", []):
                clients_of.setdefault(username, []).append(client["name"])
        rows = [("username", "password", "roles")]
        for member in data["staff"]:
            notes = [", ".join(member["roles"]) or "(no role)"]
            if member.get("supervises"):
                notes.append(f"supervises {', '.join(member['supervises'])}")
            if clients_of.get(member["username"]):
                notes.append(f"clients {', '.join(clients_of[member['username']])}")
            rows.append((member["username"], member["password"], "; ".join(notes)))
        rows += [(c["portal"]["username"], c["portal"]["password"], f"client {c['name']}")
                 for c in data["clients"] if c.get("portal")]
        width = max(len(r[0]) for r in rows) + 2
        pwidth = max(len(r[1]) for r in rows) + 2
        out = self.stdout
        out.write("")
        out.write(f"Cairn demo: open {url}")
        out.write("")
        for username, password, roles in rows:
            out.write(f"  {username:<{width}}{password:<{pwidth}}{roles}")
        out.write("")
        mail = getattr(settings, "EMAIL_FILE_PATH", None)
        out.write(f"Email goes to {mail}/." if mail else "Email goes out through EMAIL_URL.")
        out.write(f"Email notices are on for {', '.join(DEMO_EMAIL_AUDIENCES)} "
                  "(the others can turn them on in the inbox).")
        out.write(f"A notice waits {settings.CAIRN_EMAIL_DELAY_SECONDS:g} s and is not sent if its "
                  "thread is opened first (CAIRN_EMAIL_DELAY_SECONDS).")
        out.write("Stop with Ctrl-C.")
        out.flush()
