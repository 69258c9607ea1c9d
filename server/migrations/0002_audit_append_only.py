"""The database itself refuses to change or remove an audit entry (not only the model)."""

from django.db import migrations

POSTGRES = [
    """CREATE OR REPLACE FUNCTION cairn_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON server_auditentry
       FOR EACH ROW EXECUTE FUNCTION cairn_audit_append_only()""",
]
POSTGRES_UNDO = [
    "DROP TRIGGER IF EXISTS audit_append_only ON server_auditentry",
    "DROP FUNCTION IF EXISTS cairn_audit_append_only()",
]
SQLITE = [
    f"""CREATE TRIGGER audit_no_{op.lower()} BEFORE {op} ON server_auditentry
        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"""
    for op in ("UPDATE", "DELETE")
]
SQLITE_UNDO = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("server", "0001_initial")]
    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRES, "sqlite": SQLITE}),
                             _run({"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO})),
    ]
