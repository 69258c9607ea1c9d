"""Cairn's tables: the practice and its people, threads and messages, per-user marks, the
append-only audit log, the event log that sockets replay, invitations, the email outbox,
attachments, and accounts' password resets, two-step sign-in and sessions."""

from server.models.practice import Practice, Topic, User, StaffRole, Client
from server.models.messaging import Thread, Message, UnreadMark, ThreadUnread, ArchiveMark
from server.models.audit import AuditEntry
from server.models.events import Event
from server.models.portal import Invitation
from server.models.outbox import OutboxEmail, EmailNotice
from server.models.attachments import Attachment
from server.models.accounts import PasswordReset, RecoveryCode, SignInSession, TwoFactor

__all__ = [
    "Practice", "Topic", "User", "StaffRole", "Client", "Thread", "Message", "UnreadMark",
    "ThreadUnread",
    "ArchiveMark", "AuditEntry", "Event", "Invitation", "OutboxEmail", "EmailNotice", "Attachment",
    "PasswordReset", "TwoFactor", "RecoveryCode", "SignInSession",
]
