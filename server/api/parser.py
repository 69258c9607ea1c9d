"""The API's request parser: the one place every body, query string and form passes, where text
that is not valid Unicode is refused before any view sees it (SPEC §4: a lone UTF-16 surrogate
is 422 like any invalid text).

JSON may spell a lone surrogate (`"\\ud800"`, or its three UTF-8 bytes, which `json.loads`
decodes with `surrogatepass`); such a string cannot be encoded to store, compare or send, so it
would fail deep inside a view. A query string carries it as `%ED%A0%80`, which Django quietly
turns into U+FFFD: the raw query string is checked instead.
"""

import json
import re
from urllib.parse import unquote_to_bytes

from ninja.parser import Parser

from server.errors import ApiError

_SURROGATE = re.compile("[\ud800-\udfff]")


def invalid_text(field: str) -> ApiError:
    return ApiError(422, "invalid_text", f"{field} is not valid text (a lone UTF-16 surrogate, "
                                         "or bytes that are not UTF-8).", field=field)


def bad_text_at(value, path: str = "") -> str | None:
    """The dotted path of the first string (value or key) in `value` that holds a lone
    surrogate, or None."""
    if isinstance(value, str):
        return (path or "request") if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _SURROGATE.search(key):
                return path or "request"
            found = bad_text_at(item, where)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = bad_text_at(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _check_query_string(query: str) -> None:
    """Every name and value of the raw query string must decode as strict UTF-8."""
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        raw_name = unquote_to_bytes(name.replace("+", " "))
        try:
            field = raw_name.decode()
        except UnicodeDecodeError:
            raise invalid_text("query") from None
        try:
            unquote_to_bytes(value.replace("+", " ")).decode()
        except UnicodeDecodeError:
            raise invalid_text(field or "query") from None


class TextParser(Parser):
    """ninja's JSON and query parser, refusing invalid text with 422 `invalid_text`."""

    def parse_body(self, request):
        data = json.loads(request.body)
        field = bad_text_at(data)
        if field:
            # ninja turns any parser error into a 400; `server.api.base` answers with this one.
            raise invalid_text(field)
        return data

    def parse_querydict(self, data, list_fields, request):
        if data is request.GET:
            _check_query_string(request.META.get("QUERY_STRING", ""))
        for key in data.keys():
            # Names and values of query and form fields, and uploaded files by their names.
            texts = [key] + [getattr(item, "name", item) for item in data.getlist(key)]
            if any(isinstance(text, str) and _SURROGATE.search(text) for text in texts):
                raise invalid_text(key)
        return super().parse_querydict(data, list_fields, request)
