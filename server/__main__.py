"""python -m server …: Django's management commands (demo, serve, worker, load_practice and the rest)."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    if sys.argv[1:2] == ["demo"]:
        os.environ.setdefault("CAIRN_DEMO", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["python -m server", *sys.argv[1:]])


if __name__ == "__main__":
    main()
