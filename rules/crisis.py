"""Crisis language in a message: `crisis_signal(text) -> Signal | None`.

A pure function: no network, no model, no database; English and Spanish. It looks for
first-person statements of suicidal intent, plans and means, self-harm, intent to harm others,
and being in danger from someone (the phrases are in rules.crisis_lexicon), then sets aside:

- idioms and accidents ("this bill is killing me", "me muero de ganas", "cut myself shaving");
- a clause that places the matter in a resolved past ("years ago", "used to", "hace años");
- a threat quoted from a film, book, song or game;
- a negated threat to others or from others ("I would never hurt him", "he never hits me").

A denial of one's own suicide or self-harm ("I'm not going to kill myself") is still a signal,
marked `denied`: people rarely deny what was not on their mind, a denial in a message to one's
therapist is often the first mention, and a clinician reading it costs less than missing it.

The result is a hint for people, never a verdict: docs/SAFETY.md says what it cannot know.
"""

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from rules.crisis_lexicon import (
    CATEGORIES, DENIAL_PATTERNS, GUARD_PATTERNS, HARM_TO_OTHERS, IN_DANGER, MEDIA, NEGATORS,
    PATTERNS, RESOLVED_PATTERNS, SELF_HARM, SUICIDE,
)

__all__ = ["Signal", "crisis_signal", "normalize", "SUICIDE", "SELF_HARM", "HARM_TO_OTHERS",
           "IN_DANGER", "CATEGORIES"]

NEGATION_WINDOW = 5  # words before a hit in which a negator denies it
_NEGATION_REACH = 80  # characters: more than NEGATION_WINDOW words of any real language
_APOSTROPHES = "'’‘`´"
_SENTENCE_END = re.compile(r"[.!?;\n¿¡]+|\b(?:but|pero|though|although|aunque|sino)\b")
_CLAUSE_END = re.compile(r"[,:()\"“”]")


@dataclass(frozen=True)
class Signal:
    """What fired: the most urgent `category` (one of CATEGORIES), every category seen,
    the language of the phrase, whether the writer denied it, and where it is in the text."""

    category: str
    categories: tuple
    language: str
    denied: bool
    start: int
    end: int


@dataclass(frozen=True)
class _Hit:
    category: str
    language: str
    start: int
    end: int
    denied: bool


def normalize(text: str) -> tuple[str, list[int]]:
    """Lower case, accents and apostrophes dropped, runs of spaces made one; with, for each
    character kept, its index in `text` (so a hit can point back into the original)."""
    chars, where = [], []
    for i, ch in enumerate(text):
        if ch in _APOSTROPHES:
            continue
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        base = "".join(c for c in unicodedata.normalize("NFKD", ch.lower())
                       if not unicodedata.combining(c))
        for c in base or ch.lower():
            chars.append(c)
            where.append(i)
    return "".join(chars), where


def crisis_signal(text: str) -> Signal | None:
    """A Signal when `text` holds crisis language, else None. Never raises on any str."""
    flat, where = normalize(text or "")
    hits = _hits(flat)
    if not hits:
        return None
    order = {c: i for i, c in enumerate(CATEGORIES)}
    undenied = [h for h in hits if not h.denied]
    first = min(undenied or hits, key=lambda h: (order[h.category], h.start))
    categories = tuple(sorted({h.category for h in hits}, key=order.get))
    return Signal(first.category, categories, first.language, not undenied,
                  where[first.start], where[first.end - 1] + 1)


class _Sentence:
    """One sentence (or a clause after "but"/"pero") and what holds for all of it."""

    def __init__(self, flat: str, start: int, end: int):
        text = flat[start:end]
        self.start = start
        # Its clauses (between commas, colons, quotes) that place things in a resolved past.
        self.resolved = [(start + a, start + b) for a, b in _spans(_CLAUSE_END, text)
                         if any(p.search(text, a, b) for p in RESOLVED_PATTERNS)]
        self.guards = [(start + m.start(), start + m.end())
                       for p in GUARD_PATTERNS for m in p.finditer(text)]
        self.fiction = MEDIA.search(text) is not None


def _hits(flat: str) -> list[_Hit]:
    # Each pattern runs once over the whole text; sentence ends become newlines, which no
    # pattern crosses, so every match lies inside one sentence.
    scan = _SENTENCE_END.sub(lambda m: "\n" * len(m.group()), flat)
    bounds = [m.end() for m in _SENTENCE_END.finditer(flat)]
    starts, sentences = [0, *bounds], {}

    def sentence_at(at: int) -> _Sentence:
        i = bisect_right(starts, at) - 1
        if i not in sentences:
            end = scan.find("\n", starts[i])
            sentences[i] = _Sentence(flat, starts[i], len(flat) if end < 0 else end)
        return sentences[i]

    hits = []
    for language, patterns in PATTERNS.items():
        for category, pattern in patterns:
            for m in pattern.finditer(scan):
                hit = _judge(flat, sentence_at(m.start()), category, language, m)
                if hit is not None:
                    hits.append(hit)
    for language, patterns in DENIAL_PATTERNS.items():
        for pattern in patterns:
            hits.extend(_Hit(SUICIDE, language, m.start(), m.end(), True)
                        for m in pattern.finditer(scan)
                        if not _resolved(sentence_at(m.start()), m.start()))
    return hits


def _judge(flat: str, sentence: _Sentence, category: str, language: str, m) -> _Hit | None:
    a, b = m.start(), m.end()
    if _resolved(sentence, a):
        return None  # "I was suicidal years ago", "antes me cortaba"
    if any(a < g_end and g_start < b for g_start, g_end in sentence.guards):
        return None  # inside an idiom or an accident
    if sentence.fiction and _quoted(flat, sentence.start, a):
        return None  # a line quoted from a film or a book
    denied = _negated(flat, sentence.start, a)
    if denied and category in (HARM_TO_OTHERS, IN_DANGER):
        return None  # "I'd never hurt her", "he never hits me"
    return _Hit(category, language, a, b, denied)


def _spans(separator: re.Pattern, text: str):
    """The (start, end) pieces of `text` between matches of `separator`."""
    at = 0
    for sep in separator.finditer(text):
        yield at, sep.start()
        at = sep.end()
    yield at, len(text)


def _resolved(sentence: _Sentence, at: int) -> bool:
    return any(start <= at < end for start, end in sentence.resolved)


def _negated(flat: str, sentence_start: int, at: int) -> bool:
    """Whether a negator stands within NEGATION_WINDOW words before `at`, in the same clause."""
    clause_start = max(sentence_start, at - _NEGATION_REACH)
    for sep in _CLAUSE_END.finditer(flat, clause_start, at):
        clause_start = sep.end()
    words = re.findall(r"\w+", flat[clause_start:at])[-NEGATION_WINDOW:]
    return any(w in NEGATORS for w in words)


def _quoted(flat: str, sentence_start: int, at: int) -> bool:
    """Whether `at` sits inside an open quotation in its sentence."""
    return sum(flat.count(q, sentence_start, at) for q in '"“”«»') % 2 == 1
