"""Audit entries cannot be changed or removed, by the model or by SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from server.audit import audit
from server.models import AuditEntry


def test_model_refuses_update_and_delete(world):
    entry = audit(None, "login", actor=world.sam)
    entry.action = "nothing happened"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.parametrize("sql", [
    "UPDATE server_auditentry SET action = 'edited'",
    "DELETE FROM server_auditentry",
])
def test_database_refuses_update_and_delete(world, sql):
    audit(None, "login", actor=world.sam)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["login"]


def test_bulk_queryset_changes_are_refused(world):
    audit(None, "login", actor=world.sam)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().update(action="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1
