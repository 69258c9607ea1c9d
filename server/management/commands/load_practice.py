"""python -m server load_practice FILE.json: create a practice from a file (SPEC §3)."""

from django.core.management.base import BaseCommand, CommandError

from server.practice_file import PracticeFileError, load_practice_file


class Command(BaseCommand):
    help = ("Create a practice with its topics, staff, roles, supervision and clients from a JSON "
            "practice file (see README). A bad file is refused whole; nothing is created.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the practice file (JSON)")

    def handle(self, *args, file, **options):
        try:
            practice = load_practice_file(file)
        except PracticeFileError as exc:
            raise CommandError(f"{file} refused, nothing was created:\n{exc}") from None
        self.stdout.write(
            f'Created practice "{practice.name}" (id {practice.pk}): '
            f"{practice.users.filter(kind='staff').count()} staff, "
            f"{practice.clients.count()} clients, {practice.topics.count()} topics."
        )
