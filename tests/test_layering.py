"""The arrows run one way: `server/` never imports `consumers/` (the socket side). The one
exception is `server/asgi.py`, which mounts the socket routing next to Django's application."""

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1] / "server"


def imported_modules(path: Path) -> set:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_server_does_not_import_consumers():
    offenders = {str(path.relative_to(SERVER.parent)): sorted(
                     name for name in imported_modules(path) if name.split(".")[0] == "consumers")
                 for path in SERVER.rglob("*.py") if path.name != "asgi.py"}
    assert {path: names for path, names in offenders.items() if names} == {}
