"""The snippet of a search hit: plain text around the first word that matched."""

from server.search.words import Query, word_spans

WIDTH = 120
# How much of the snippet comes before the hit.
LEAD = 40
ELLIPSIS = "…"


def first_hit(text: str, query: Query) -> int | None:
    """Where in `text` the first word matching one of the query's words starts (the last query
    word matches as a prefix), or None."""
    exact = set(query.words[:-1])
    for start, _, word in word_spans(text):
        if word in exact or word.startswith(query.prefix):
            return start
    return None


def snippet(text: str, query: Query) -> str:
    """About WIDTH characters of `text` around its first hit, on one line, cut between words,
    with an ellipsis where text was left out; the start of `text` when no word matches here (the
    database's tokenizer may split a word where ours does not)."""
    flat = " ".join(text.split())
    if len(flat) <= WIDTH:
        return flat
    hit = first_hit(flat, query) or 0
    start = max(0, min(hit - LEAD, len(flat) - WIDTH))
    end = start + WIDTH
    if start > 0:
        # Begin at a word: after the last space before the cut, unless that loses the hit.
        space = flat.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and hit - space < WIDTH else start
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > hit else end
    return (ELLIPSIS if start > 0 else "") + flat[start:end].strip() + (
        ELLIPSIS if end < len(flat) else "")
