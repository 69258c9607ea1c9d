"""What a search box's text means: its words, folded the way both databases fold them.

A word is a run of letters and digits; everything else — quotes, `*`, `:`, `&`, `|`, `!`, `-`,
parentheses — only separates words, so nothing a user types reaches the database as an
operator. Words that spell operators (`AND`, `OR`, `NOT`, `NEAR`) are quoted by the backends."""

import re
import unicodedata
from dataclasses import dataclass

from server.errors import invalid

MAX_CHARACTERS = 200
MAX_WORDS = 20

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents, the letters left in place one for one: "José" → "jose"."""
    return "".join(_fold_char(c) for c in text)


def _fold_char(char: str) -> str:
    # One character in, one out, so positions in the folded text are positions in the original
    # (a snippet is cut from the original text at the place the folded text matched).
    base = unicodedata.normalize("NFKD", char)[:1] or char
    lowered = base.lower()
    return lowered if len(lowered) == 1 else char


@dataclass(frozen=True)
class Query:
    """The words of a search, every one required; the last one also matches as a prefix."""

    words: tuple[str, ...]

    @property
    def prefix(self) -> str:
        return self.words[-1]


def parse(q: str | None) -> Query | None:
    """The search `q` asks for, or None for no search (absent or blank). 422 `invalid_query`
    naming `q` for text over the bounds, or with characters but no word to search for."""
    if q is None or not q.strip():
        return None
    if len(q) > MAX_CHARACTERS:
        raise invalid("invalid_query", f"q must be at most {MAX_CHARACTERS} characters.",
                      field="q")
    words = _WORD.findall(fold(unicodedata.normalize("NFC", q)))
    if not words:
        raise invalid("invalid_query", "q holds no letters or digits to search for.", field="q")
    if len(words) > MAX_WORDS:
        raise invalid("invalid_query", f"q must be at most {MAX_WORDS} words.", field="q")
    return Query(tuple(words))


def word_spans(text: str):
    """(start, end, folded word) of every word of `text`, positions in `text` itself."""
    for found in _WORD.finditer(fold(text)):
        yield found.start(), found.end(), found.group()
