"""rules.crisis over the labelled phrase set (tests/rules/crisis_phrases.tsv) and its promises.

Run `python -m pytest tests/rules/test_crisis.py -q -s` to see the figures docs/SAFETY.md quotes.
"""

import csv
from pathlib import Path

import pytest

from rules.crisis import (
    CATEGORIES, HARM_TO_OTHERS, IN_DANGER, SELF_HARM, SUICIDE, crisis_signal, normalize,
)

PHRASES = Path(__file__).with_name("crisis_phrases.tsv")
MIN_RECALL = 0.95
MAX_FALSE_ALARMS = 0.05


def phrases() -> list[dict]:
    with PHRASES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_the_set_is_big_bilingual_and_half_hard_negatives():
    rows = phrases()
    assert len(rows) >= 150
    assert {r["language"] for r in rows} == {"en", "es"}
    assert {r["label"] for r in rows} == {"crisis", "none"}
    assert sum(r["label"] == "none" for r in rows) * 2 >= len(rows)
    for r in rows:
        assert r["text"].strip()
        assert (r["category"] in CATEGORIES) == (r["label"] == "crisis"), r
    for language in ("en", "es"):
        assert {r["category"] for r in rows
                if r["language"] == language and r["label"] == "crisis"} == set(CATEGORIES)


def test_recall_and_false_alarms_on_the_phrase_set():
    rows = phrases()
    figures = {}
    for language in ("en", "es", None):
        subset = [r for r in rows if language is None or r["language"] == language]
        crises = [r for r in subset if r["label"] == "crisis"]
        calm = [r for r in subset if r["label"] == "none"]
        caught = [r for r in crises if crisis_signal(r["text"]) is not None]
        alarms = [r for r in calm if crisis_signal(r["text"]) is not None]
        figures[language or "all"] = (len(caught) / len(crises), len(alarms) / len(calm),
                                      len(crises), len(calm))
    for name, (recall, false_alarms, n_crisis, n_calm) in figures.items():
        print(f"\n{name}: recall {recall:.3f} of {n_crisis} crises, "
              f"false alarms {false_alarms:.3f} of {n_calm} calm messages", end="")
    recall, false_alarms, _, _ = figures["all"]
    missed = [r["text"] for r in rows if r["label"] == "crisis" and not crisis_signal(r["text"])]
    alarmed = [r["text"] for r in rows if r["label"] == "none" and crisis_signal(r["text"])]
    assert recall >= MIN_RECALL, missed
    assert false_alarms <= MAX_FALSE_ALARMS, alarmed


def test_the_category_of_each_caught_phrase_is_the_labelled_one():
    wrong = [(r["text"], r["category"], signal.category) for r in phrases()
             if r["label"] == "crisis" and (signal := crisis_signal(r["text"])) is not None
             and signal.category != r["category"]]
    assert len(wrong) <= 0.05 * len(phrases()), wrong


@pytest.mark.parametrize("text, category", [
    ("I'm going to kill myself", SUICIDE),
    ("im going to kill myself", SUICIDE),
    ("I'M GOING TO KILL MYSELF", SUICIDE),
    ("me voy a suicidar", SUICIDE),
    ("Me voy a suicidar mañana", SUICIDE),
    ("quiero hacerme daño", SELF_HARM),
    ("quiero hacerme dano", SELF_HARM),
    ("I'll kill him", HARM_TO_OTHERS),
    ("Ill kill him", HARM_TO_OTHERS),
    ("he'll kill me if I leave", IN_DANGER),
    ("mi pareja me pega", IN_DANGER),
])
def test_apostrophes_accents_and_case_do_not_matter(text, category):
    assert crisis_signal(text).category == category


def test_a_denial_of_suicide_is_still_a_signal_marked_denied():
    for text in ("I'm not going to kill myself", "im not suicidal", "no me voy a matar"):
        signal = crisis_signal(text)
        assert signal is not None and signal.category == SUICIDE and signal.denied, text


def test_a_denial_next_to_a_statement_is_not_marked_denied():
    signal = crisis_signal("I'm not suicidal, but I keep thinking about dying")
    assert signal.category == SUICIDE and not signal.denied


def test_a_negated_threat_to_or_from_others_is_not_a_signal():
    for text in ("I would never hurt my kids", "he never hits me", "nunca le haría daño a mi hijo"):
        assert crisis_signal(text) is None, text


def test_a_resolved_past_is_not_a_signal_but_a_recent_act_is():
    assert crisis_signal("I tried to kill myself years ago") is None
    assert crisis_signal("I tried to kill myself last night").category == SUICIDE
    # The past holds for its own clause only.
    assert crisis_signal("I used to be fine, now I want to die").category == SUICIDE


def test_a_threat_quoted_from_a_film_is_not_a_signal_but_the_same_words_unquoted_are():
    assert crisis_signal('In the movie he yells "I\'ll kill you" at his brother') is None
    assert crisis_signal("I'll kill you").category == HARM_TO_OTHERS


def test_kys_is_a_signal_only_when_aimed_at_oneself():
    assert crisis_signal("my head keeps saying kys").category == SUICIDE
    assert crisis_signal("some guy on the bus told me to kys") is None


def test_the_span_points_into_the_original_text():
    text = "Hola.  Ya no aguanto más… ¡me quiero MATAR!"
    signal = crisis_signal(text)
    assert text[signal.start:signal.end] == "me quiero MATAR"
    assert signal.language == "es"


def test_every_category_found_is_listed_most_urgent_first():
    signal = crisis_signal("I cut myself again. He said he'd kill me.")
    assert signal.category == IN_DANGER
    assert signal.categories == (IN_DANGER, SELF_HARM)


@pytest.mark.parametrize("text", ["", " ", "\x00", "\ud800", "💀" * 5000, "kill myself " * 900,
                                  "’" * 100, "a\u0301" * 100])
def test_any_text_is_answered_without_error(text):
    crisis_signal(text)


def test_normalize_keeps_a_map_back_to_the_original():
    flat, where = normalize("Don’t  Ñandú")
    assert flat == "dont nandu"
    assert len(where) == len(flat) and where[3] == 4 and where[5] == 7
