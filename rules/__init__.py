"""Cairn's policy: who sees, starts, deletes, edits and administers — plain functions over plain data.

Nothing here touches the database. Callers hand in the facts (`Person`, `ThreadFacts`,
`MessageFacts`) and get back real booleans or plain sets.
"""

from rules.facts import Person, ThreadFacts, MessageFacts
from rules.roles import AUDIENCES, ROLES, audiences_by_role
from rules.visibility import (
    can_view,
    can_start_thread,
    can_see_client,
    visible_audiences,
    email_audiences_allowed,
)
from rules.deletion import can_delete_message, can_delete_thread
from rules.audience_change import audience_change
from rules.administration import (
    can_read_audit,
    can_manage_roles,
    can_manage_assignments,
    can_switch_portal,
    can_manage_clients,
    can_edit_client_contact,
    can_use_admin_site,
)
from rules.editing import (
    can_edit_header,
    can_delete_anything,
    can_see_deleted,
    can_choose_email_audiences,
)
from rules.portal import can_sign_in, can_message_clients, portal_applies
from rules.two_factor import two_factor_setup_pending

__all__ = [
    "Person", "ThreadFacts", "MessageFacts", "AUDIENCES", "ROLES", "audiences_by_role",
    "can_view", "can_start_thread", "can_see_client", "visible_audiences", "email_audiences_allowed",
    "can_delete_message", "can_delete_thread", "audience_change", "can_read_audit",
    "can_manage_roles", "can_manage_assignments", "can_switch_portal", "can_use_admin_site", "can_manage_clients",
    "can_edit_header", "can_delete_anything", "can_see_deleted",
    "can_choose_email_audiences", "can_sign_in", "can_message_clients",
    "portal_applies", "two_factor_setup_pending", "can_edit_client_contact",
]
