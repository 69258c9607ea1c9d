"""Changing the practice's settings (server.practice_settings checks them first)."""

from server.audit import audit_by


def do_update_practice_settings(actor, practice, values: dict) -> list[str]:
    """Save the checked `values` that differ from the practice's, audited by name (the texts are
    the practice's own words, not PHI, but the log keeps only which fields changed). Returns the
    names of the fields changed."""
    changed = sorted(key for key, value in values.items() if getattr(practice, key) != value)
    if not changed:
        return []
    for key in changed:
        setattr(practice, key, values[key])
    practice.save(update_fields=changed)
    audit_by(actor, "practice.settings_changed", practice_id=practice.pk, fields=changed)
    return changed
