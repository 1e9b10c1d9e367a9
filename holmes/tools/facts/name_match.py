"""How well a name matches what a question calls it: exact, prefix, every word, fuzzy.

Used by the find tool and by triage, so both rank look-alike names the same way."""

from __future__ import annotations

import difflib
import re

_SPLIT = re.compile(r"[\s\-_./]+")
_FUZZY_CUTOFF = 0.6


def words(text: str) -> list[str]:
    """Lower-case words of a name or a query."""
    return [word for word in _SPLIT.split(text.lower()) if word]


def match_quality(query: str, name: str) -> tuple[int, float]:
    """(quality 4..0, similarity) of `name` for `query`: 4 exact, 3 prefix, 2 every query word
    in the name, 1 fuzzy, 0 no match."""
    query_words, name_lower = words(query), name.lower()
    joined = "-".join(query_words)
    similarity = difflib.SequenceMatcher(None, joined, name_lower).ratio()
    if not query_words:
        return 0, 0.0
    if name_lower in (query.strip().lower(), joined):
        return 4, 1.0
    if name_lower.startswith((query.strip().lower(), joined)):
        return 3, similarity
    name_words = words(name)
    if all(any(w.startswith(q) or q in w for w in name_words) for q in query_words):
        return 2, similarity
    best_word = max(
        (difflib.SequenceMatcher(None, q, w).ratio() for q in query_words for w in name_words),
        default=0.0,
    )
    if max(similarity, best_word) >= _FUZZY_CUTOFF and similarity >= 0.4:
        return 1, similarity
    return 0, similarity
