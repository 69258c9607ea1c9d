"""Request and response shapes of the account endpoints (passwords, two-step sign-in, sessions)."""

import re
from datetime import datetime
from typing import Annotated, Optional

from ninja import Schema
from pydantic import AfterValidator, StrictBool, StrictStr

from server.api.schemas import Strict

_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def _plain_text(value: str) -> str:
    # NUL cannot be stored or looked up in PostgreSQL; a lone surrogate is not text at all.
    if _UNSAFE.search(value):
        raise ValueError("must be valid text (no NUL or lone surrogate characters)")
    return value


Text = Annotated[StrictStr, AfterValidator(_plain_text)]


class TwoFactorRequiredOut(Schema):
    two_factor_required: bool


class ForgotIn(Strict):
    login: Text


class ResetIn(Strict):
    token: Text
    password: Text


class ChangePasswordIn(Strict):
    current: Text
    new: Text


class CodeIn(Strict):
    code: Text


class SecondStepIn(Strict):
    code: Text
    remember_browser: StrictBool = False


class TwoFactorSetupOut(Schema):
    secret: str
    otpauth_uri: str
    qr_svg: str


class RecoveryCodesOut(Schema):
    recovery_codes: list[str]


class TwoFactorStatusOut(Schema):
    enabled: bool
    recovery_codes_left: int
    required: bool


class SessionOut(Schema):
    id: int
    created_at: datetime
    last_seen_at: datetime
    ip: Optional[str]
    browser: str
    current: bool


class LastSignInOut(Schema):
    at: datetime
    ip: Optional[str]
    browser: str


class StaffOut(Schema):
    id: int
    username: str
    name: str
    roles: list[str]
    two_factor: bool
    last_sign_in: Optional[LastSignInOut]


class LinkSentOut(Schema):
    status: str
