"""The practice's settings beyond its name (SPEC §4 "Safety", "Accounts"): guidelines, time zone,
office hours, after-hours reply, crisis resources, two-step sign-in. One checker serves
`PUT /api/practice`, the practice file and the admin, so each refuses the same things with the
same words, naming the field."""

from dataclasses import dataclass

from rules.hours import HoursError, check_timezone, hours_problems
from server.errors import invalid
from server.models.practice import SETTING_TEXT_MAX

TEXTS = ("guidelines", "after_hours_reply", "crisis_resources")
FLAGS = ("portal_enabled", "require_two_factor")
SETTINGS = ("guidelines", "timezone", "hours", "after_hours_reply", "crisis_resources",
            "require_two_factor")
_REQUIRED_TEXT = ("crisis_resources",)  # a crisis must always be answered with somewhere to turn


@dataclass(frozen=True)
class SettingProblem:
    field: str
    code: str
    message: str


def setting_problems(values: dict, prefix: str = "") -> tuple[dict, list[SettingProblem]]:
    """The cleaned values of the settings in `values` (any of SETTINGS and FLAGS) and every
    problem found, each naming `prefix` + its field."""
    cleaned, problems = {}, []
    for key, value in values.items():
        where = prefix + key
        if key in TEXTS:
            problem = _text_problem(value, where, required=key in _REQUIRED_TEXT)
            if problem is None:
                cleaned[key] = value.strip()
            else:
                problems.append(problem)
        elif key in FLAGS:
            if isinstance(value, bool):
                cleaned[key] = value
            else:
                problems.append(SettingProblem(where, "invalid",
                                               f"{where}: must be true or false"))
        elif key == "timezone":
            try:
                cleaned[key] = check_timezone(value, where)
            except HoursError as exc:
                problems.append(SettingProblem(where, "unknown_timezone", str(exc)))
        elif key == "hours":
            found = hours_problems(value, where)
            problems += [SettingProblem(p.field, "invalid_hours", str(p)) for p in found]
            if not found:
                cleaned[key] = value
        else:
            problems.append(SettingProblem(where, "invalid", f"{where}: unknown setting"))
    return cleaned, problems


def check_settings(values: dict) -> dict:
    """The cleaned settings, or the first problem raised as a 422 naming its field (an empty
    change is one too: a PUT that says nothing is a mistake)."""
    if not values:
        raise invalid("invalid", "request: send at least one setting to change", field="request")
    cleaned, problems = setting_problems(values)
    if problems:
        first = problems[0]
        raise invalid(first.code, first.message, field=first.field)
    return cleaned


def _text_problem(value, where: str, *, required: bool) -> SettingProblem | None:
    if not isinstance(value, str):
        return SettingProblem(where, "invalid", f"{where}: must be text")
    text = value.strip()
    if required and not text:
        return SettingProblem(where, "empty", f"{where}: must not be empty")
    if len(text) > SETTING_TEXT_MAX:
        return SettingProblem(where, "too_long",
                              f"{where}: must be at most {SETTING_TEXT_MAX} characters")
    if "\x00" in text:
        return SettingProblem(where, "invalid", f"{where}: must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SettingProblem(where, "invalid", f"{where}: is not valid text (a lone surrogate)")
    return None


def settings_of(practice) -> dict:
    """What `GET /api/practice` shows anyone signed in to the practice."""
    return {"name": practice.name, "portal_enabled": practice.portal_enabled,
            **{key: getattr(practice, key) for key in SETTINGS}}
