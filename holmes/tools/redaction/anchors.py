"""Where redaction looks: anchors that every secret shape's match contains, and the windows
of lines around them.

Used by `holmes.tools.redaction.redact`: only these windows go through the rules of
holmes/tools/redaction/rules.py, because most of a megabyte of log holds no anchor and the
rules cost far more per character than the anchor scans. Anchors match the ASCII-lowercased
text. A new rule must be covered by an anchor here (the tests of every shape check it).
"""

from __future__ import annotations

import re

# Each pattern starts with one literal because `re` scans
# for a single literal prefix many times faster than for an alternation (1 ms against 10-30 ms
# a megabyte).
ANCHORS = tuple(
    re.compile(rx)
    for rx in (
        r"authorization",
        r"bearer[ \t]",
        r"basic[ \t]",
        r"://[^\s/?#\"']*@",
        r"hooks\.slack\.com/",
        r"/api/webhooks/",
        r"-(?:u[ \t=]|-user)",
        r"eyj",
        r"a(?:kia|sia|bia|cca|iza)",
        r"g(?:h[pousr]_|ithub_pat_|lpat-)",
        r"x(?:ox|app-)",
        r"s(?:k[-_]|g\.|ecret_?access_?key)",
        r"rk_",
        r"hf_",
        r"npm_",
        r"whsec_",
        r"nvapi-",
        r"password[ \t]+'",  # SQL: ALTER USER bob WITH PASSWORD 'x'
        r"identified by[ \t]+'",
        r"-p[^\s-]",  # `mysql -pS3cr3t`
    )
)
# How every key that `is_secret_key` accepts ends (lowercased, camelCase run together).
# `tokens=` and `token_count=` end otherwise, so a log full of them is skipped.
KEY_ENDINGS = (
    r"pass(?:word|wd|phrase)?",
    r"pwd",
    r"secret",
    r"token",
    r"key(?:[_.-]?(?:data|id))?",
    r"credentials?",
    r"cookie",
    r"sig(?:nature)?",
    r"auth",
    r"dockerc(?:fg|onfigjson)",
)
KEY_ENDING = "(?:" + "|".join(KEY_ENDINGS) + ")"
# The separator after a key: `:` or `=`; a comma or a new list item (`["--password", "x"]`,
# `- --password` then `- x`); or a space when the key is a flag (`--token x`; the `flag` group
# is then checked by `is_flag`, since `token for user` is prose).
_KEY_SEPARATOR = r"(?:\\?[\"']?[ \t]*(?:[:=]|,|\r?\n[ \t]*-[ \t])|(?P<flag>[ \t]+[^\s-]))"
KEY_ANCHORS = tuple(re.compile(ending + _KEY_SEPARATOR) for ending in KEY_ENDINGS)
# `{name: DB_PASSWORD, value: x}`, and `- name: DB_PASSWORD` with `value:` on the next line.
# (An env value that is a credential under a name that says nothing is found by its own pass,
# `redaction_values.mask_env_values`, not through windows: every `name:` of a YAML would be one.)
ANCHORS += (
    re.compile(
        r"name\\?[\"']?[ \t]*:[ \t]*\\?[\"']?[\w.-]{0,128}?"
        + KEY_ENDING
        + r"\\?[\"']?[ \t]*(?:,|\r?\n)"
    ),
)
# All anchors in one pattern: slower per megabyte, but one call instead of 30 for the many
# short strings of structured data, most of which hold no anchor at all.
ANY_ANCHOR = re.compile(
    "|".join(
        [a.pattern for a in ANCHORS] + [KEY_ENDING + _KEY_SEPARATOR.replace("(?P<flag>", "(?:")]
    )
)
_PROSE_PASSWORD = ("password", "passwd", "passphrase")
_FLAG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def is_flag(lower: str, pos: int) -> bool:
    """Whether the word ending at `pos` in the lowercased text is a CLI flag (`--token`)."""
    start, limit = pos, max(0, pos - 128)
    while start > limit and lower[start - 1] in _FLAG_CHARS:
        start -= 1
    return lower.startswith("-", start)


# Below this length one search of `ANY_ANCHOR` is cheaper than the 30 anchor scans.
_SHORT = 4096
# Windows closer than this are redacted as one: a rule costs far more per call than per
# character, so a few lines between two windows are cheaper scanned than split off.
_MERGE_GAP = 512


def windows(lower: str) -> list[tuple[int, int]]:
    """Merged spans of whole lines to redact: each anchor's line(s) and the line after it.

    The line after holds the `value:` of a `- name: DB_PASSWORD` env entry.
    """
    if len(lower) < _SHORT and not ANY_ANCHOR.search(lower):
        return []
    hits = [(m.start(), m.end()) for anchor in ANCHORS for m in anchor.finditer(lower)]
    hits += [
        (m.start(), m.end())
        for anchor in KEY_ANCHORS
        for m in anchor.finditer(lower)
        if m.group("flag") is None
        or is_flag(lower, m.start())
        or lower.startswith(_PROSE_PASSWORD, m.start())  # `failed with password S3cr3t`
    ]
    hits.sort()
    spans: list[tuple[int, int]] = []
    for hit_start, hit_end in hits:
        if spans and hit_end <= spans[-1][1]:
            continue
        start = lower.rfind("\n", 0, hit_start) + 1
        end = _line_end(lower, _line_end(lower, max(hit_end - 1, hit_start)) + 1)
        if spans and start <= spans[-1][1] + _MERGE_GAP:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end
