"""Search (SPEC §4): PostgreSQL full-text search over GIN indexes, SQLite FTS5.

PostgreSQL: the `unaccent` extension and a text search configuration `cairn_search` (`simple`
after `unaccent`: no stemming and no stop words, so names and mixed languages match as typed,
accents or not), and generated tsvector columns on message bodies and thread subjects, which
the database keeps up to date on every write, each under a GIN index.

SQLite: FTS5 tables over the same columns (external content: the text is not stored twice),
kept in step by triggers. A later migration that makes Django rebuild server_message or
server_thread on SQLite drops those triggers and must create them again (`_fts5`)."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

POSTGRES = [
    "CREATE TEXT SEARCH CONFIGURATION cairn_search (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION cairn_search "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    "ALTER TABLE server_message ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('cairn_search'::regconfig, body)) STORED",
    "CREATE INDEX message_search ON server_message USING gin (search_vector)",
    "ALTER TABLE server_thread ADD COLUMN subject_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('cairn_search'::regconfig, subject)) STORED",
    "CREATE INDEX thread_subject_search ON server_thread USING gin (subject_vector)",
]
POSTGRES_UNDO = [
    "ALTER TABLE server_thread DROP COLUMN subject_vector",
    "ALTER TABLE server_message DROP COLUMN search_vector",
    "DROP TEXT SEARCH CONFIGURATION cairn_search",
]


def _fts5(table: str, source: str, column: str) -> list[str]:
    """An FTS5 table over `source.column` and the triggers that keep it in step."""
    insert = f"INSERT INTO {table}(rowid, {column}) VALUES (new.id, new.{column});"
    remove = (f"INSERT INTO {table}({table}, rowid, {column}) "
              f"VALUES ('delete', old.id, old.{column});")
    return [
        f"CREATE VIRTUAL TABLE {table} USING fts5({column}, content='{source}', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON {source} BEGIN {insert} END",
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON {source} BEGIN {remove} END",
        f"CREATE TRIGGER {table}_update AFTER UPDATE OF {column} ON {source} "
        f"BEGIN {remove} {insert} END",
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
    ]


SQLITE = _fts5("message_search", "server_message", "body") + _fts5(
    "thread_search", "server_thread", "subject")
SQLITE_UNDO = [f"DROP TRIGGER {table}_{event}" for table in ("message_search", "thread_search")
               for event in ("insert", "delete", "update")] + [
    "DROP TABLE message_search", "DROP TABLE thread_search"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("server", "0010_actions"),
    ]

    operations = [
        # Nothing on other databases (Django's operation checks the vendor itself).
        UnaccentExtension(),
        migrations.RunPython(_run({"postgresql": POSTGRES, "sqlite": SQLITE}),
                             _run({"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO})),
    ]
