"""Account security: password-reset links, two-step sign-in, and the sign-in sessions list."""

from django.db import models

from server.models.practice import User


class PasswordReset(models.Model):
    """A single-use link to set a new password, stored only as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class TwoFactor(models.Model):
    """A user's TOTP secret (RFC 6238); on once `confirmed_at` is set. `last_step` is the time
    step of the last code accepted: a code of that step or an earlier one is refused (replay)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)


class RecoveryCode(models.Model):
    """One single-use recovery code of a user's two-step sign-in, stored only as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="recovery_code_lookup")]


class SignInSession(models.Model):
    """One sign-in, for the user's sessions list: keyed by a hash of the session key (the key
    itself is a bearer credential and is never stored here nor shown)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="signin_session_user")]
