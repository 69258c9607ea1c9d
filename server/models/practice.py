"""The practice, its topics, its people (staff and client portal accounts) and clients."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from rules.roles import ROLES

SETTING_TEXT_MAX = 500
DEFAULT_CRISIS_RESOURCES = ("If you are in danger or thinking about harming yourself, call or text "
                            "988 (Suicide & Crisis Lifeline) or call 911.")


class Practice(models.Model):
    name = models.CharField(max_length=200)
    portal_enabled = models.BooleanField(default=True)
    # Safety settings (SPEC §4 "Safety"), checked by server.practice_settings.
    guidelines = models.CharField(max_length=SETTING_TEXT_MAX, blank=True, default="",
                                  help_text="Shown to clients above every composer.")
    timezone = models.CharField(max_length=64, default="UTC",
                                help_text='An IANA time zone name, e.g. "America/New_York".')
    hours = models.JSONField(default=dict, blank=True,
                             help_text='{"mon": [["09:00", "17:00"]], …, "closed": ["2026-12-25"]}')
    after_hours_reply = models.CharField(max_length=SETTING_TEXT_MAX, blank=True, default="",
                                         help_text="The automatic reply to a message sent "
                                                   "outside office hours.")
    crisis_resources = models.CharField(max_length=SETTING_TEXT_MAX,
                                        default=DEFAULT_CRISIS_RESOURCES,
                                        help_text="Shown to a client whose message reads as "
                                                  "a crisis.")
    require_two_factor = models.BooleanField(default=False,
                                             help_text="Every staff user must set up two-step "
                                                       "sign-in.")

    def __str__(self):
        return self.name


class Topic(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=100)
    subject = models.CharField(max_length=200, help_text="The default subject of a new thread.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="topic_name_unique"),
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A sign-in: a staff member, or a client's portal account (`kind`)."""

    STAFF = "staff"
    CLIENT = "client"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="users")
    kind = models.CharField(max_length=10, choices=[(STAFF, "Staff"), (CLIENT, "Client")],
                            default=STAFF)
    name = models.CharField(max_length=200, blank=True)
    supervises = models.ManyToManyField("self", symmetrical=False, blank=True,
                                        related_name="supervisors",
                                        limit_choices_to={"kind": STAFF})
    email_audiences = models.JSONField(default=list, blank=True,
                                       help_text="Audiences this staff user wants email for.")
    email_notices = models.BooleanField(default=True,
                                        help_text="A client's choice: an email when the practice "
                                                  "writes (staff choose audiences instead).")

    def __str__(self):
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username


class StaffRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_rows")
    role = models.CharField(max_length=20, choices=[(r, r.replace("_", " ")) for r in ROLES])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="staff_role_unique")]

    def __str__(self):
        return self.role


class Client(models.Model):
    """A client of the practice; `user` is their portal account, if they have one."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=200)
    email = models.EmailField(null=True, blank=True)
    user = models.OneToOneField(User, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="client_record")
    clinicians = models.ManyToManyField(User, blank=True, related_name="assigned_clients",
                                        limit_choices_to={"kind": User.STAFF})

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["practice", "name"])]

    def __str__(self):
        return self.name
