"""The text rules of redaction: one regular expression per secret shape, and what to mask.

Used by `holmes.tools.redaction.redact`, which applies `RULES` in order to each window of a
text that the anchors (holmes/tools/redaction/anchors.py) point at. Every rule keeps what
names the secret (the key, the header, the URL's scheme, user and host) and replaces only the
secret itself, so the evidence still says *that* a password was set, and where. Masks are
`[REDACTED...]`, which no rule takes for a secret, so redaction is idempotent.

Speed: Python's `re` scans fast only for a pattern that starts with a literal, and slowly for
`re.I`, a leading `\\b` or a lookbehind. So most rules match the ASCII-lowercased text with a
literal first (a word boundary before it is checked in the judge), and a judge reads the
original text at the same offsets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from holmes.tools.redaction.anchors import KEY_ENDING
from holmes.tools.redaction.keys import (
    MASK,
    is_secret_key,
    keeps_value,
    looks_like_inline_secret,
    looks_random,
    mask,
)
from holmes.tools.redaction.values import looks_like_attached_password

Edit = tuple[int, int, str]  # replace text[start:end] with the string

_QUOTED = r"(?P<dq>\\?\")(?P<dv>(?:\\.|[^\"\\\n])*?)(?P=dq)|'(?P<sv>[^'\n]*)'"
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-")
_FLAG_CHARS = _KEY_CHARS - {"."}
# Keys are short; bounding their length keeps a megabyte-long base64 line linear to scan.
_MAX_KEY = 128

_TRAILING = ".,)]}"
_AUTH_SCHEMES = ("bearer", "basic", "token", "digest", "negotiate", "ntlm", "apikey")

PEM = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----"
    # A whole block (a key is under 16 KB), or a block cut before its END line: then only the
    # base64 and header lines that follow it.
    r"(?:.{0,16384}?-----END (?P=label)-----"
    r"|(?:(?:\r?\n|\\n|[ \t])+(?:[A-Za-z0-9+/=]{8,}|(?:Proc-Type|DEK-Info): [^\n\\]*)"
    r"(?=[ \t]*(?:\r?\n|\\n|$)))*)",
    re.S,
)


def mask_pem(m: re.Match[str]) -> str:
    """A private key block, its label kept: `-----BEGIN RSA PRIVATE KEY----- [REDACTED] ...`."""
    label = m.group("label")
    return f"-----BEGIN {label}----- {mask(m.group(0))} -----END {label}-----"


@dataclass(frozen=True)
class Rule:
    """A pattern and a judge that turns a match into an edit of the original text, or None."""

    pattern: re.Pattern[str]
    judge: Callable[[re.Match[str], str], Edit | None]
    lowercase: bool = True  # match the ASCII-lowercased text


def _word_before(text: str, pos: int) -> bool:
    return pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] == "_")


def _value(m: re.Match[str]) -> tuple[str, int, int, bool]:
    """The value group of a key/value match: which one matched, its span, whether quoted."""
    groups = m.groupdict()
    for group in ("dv", "sv", "uv"):
        if groups.get(group) is not None:
            return group, m.start(group), m.end(group), group != "uv"
    raise AssertionError("every value alternative has a group")


def _mask_value(text: str, start: int, end: int, quoted: bool) -> Edit:
    """Mask text[start:end]; an unquoted value keeps trailing punctuation: `(password=x)`."""
    core = text[start:end].rstrip(_TRAILING)
    if not quoted and core:
        end = start + len(core)
    return start, end, mask(text[start:end])


def _mask_group(group: str) -> Callable[[re.Match[str], str], Edit | None]:
    def judge(m: re.Match[str], text: str) -> Edit | None:
        if text.startswith(MASK[:-1], m.start(group)) or m.start(group) == m.end(group):
            return None
        return m.start(group), m.end(group), mask(text[m.start(group) : m.end(group)])

    return judge


def _auth_header(m: re.Match[str], text: str) -> Edit | None:
    cred = text[m.start("cred") : m.end("cred")]
    if keeps_value("", cred) or cred.lower() in _AUTH_SCHEMES:
        return None
    if m.group("scheme") is None and not looks_random(cred):
        return None  # `authorization: required` in prose
    return m.start("cred"), m.end("cred"), mask(text[m.start("cred") : m.end("cred")])


def _bearer(m: re.Match[str], text: str) -> Edit | None:
    # `missing Bearer token`, `Basic authentication failed`: a word, not a credential.
    if _word_before(text, m.start()) or not looks_random(text[m.start("cred") : m.end("cred")]):
        return None
    return m.start("cred"), m.end("cred"), mask(text[m.start("cred") : m.end("cred")])


def _curl_user(m: re.Match[str], text: str) -> Edit | None:
    if m.start() > 0 and (_word_before(text, m.start()) or text[m.start() - 1] == "-"):
        return None
    return _mask_group("pw")(m, text)


def _env_entry(m: re.Match[str], text: str) -> Edit | None:
    """`{name: DB_PASSWORD, value: x}`: the secret key is the entry's name."""
    if _word_before(text, m.start()):
        return None  # `username:`, `hostname:`
    key = text[m.start("key") : m.end("key")]
    _, start, end, quoted = _value(m)
    if not is_secret_key(key) or keeps_value(key, text[start:end]):
        return None
    return _mask_value(text, start, end, quoted)


def _argv_pair(m: re.Match[str], text: str) -> Edit | None:
    """`["--password", "x"]` and `- --password` then `- x` on the next line: a flag naming a
    secret and its value as the next item of an argument list."""
    key_start = _key_start(text, m.start(), _FLAG_CHARS)
    if not text.startswith("-", key_start) or _word_before(text, key_start):
        return None
    key = text[key_start : m.end("end")]
    _, start, end, quoted = _value(m)
    value = text[start:end]
    if value.startswith("-") or not is_secret_key(key) or keeps_value(key, value):
        return None
    return _mask_value(text, start, end, quoted)


def _prose_password(m: re.Match[str], text: str) -> Edit | None:
    """`login failed with password S3cr3t!`: a password named in prose, then its value."""
    if _word_before(text, m.start()) or text[m.start() - 1 : m.start()] == "-":
        return None
    _, start, end, quoted = _value(m)
    value = text[start:end]
    if keeps_value("password", value) or not looks_like_inline_secret(value.rstrip(_TRAILING)):
        return None
    return _mask_value(text, start, end, quoted)


def _attached_password(m: re.Match[str], text: str) -> Edit | None:
    """`mysql -uroot -pS3cr3t`: the password glued to `-p`."""
    if m.start() > 0 and text[m.start() - 1] not in " \t\n\"'[,=":
        return None
    password = m.group("pw")
    if not looks_like_attached_password(password):
        return None
    return m.start("pw"), m.end("pw"), mask(password)


def _line_lead(text: str, pos: int) -> str:
    return text[text.rfind("\n", 0, pos) + 1 : pos]


def _key_start(text: str, end_start: int, chars: frozenset[str]) -> int:
    """Where the key whose last word starts at `end_start` begins (`DB_` of `DB_PASSWORD`)."""
    start, limit = end_start, max(0, end_start - _MAX_KEY)
    while start > limit and text[start - 1].lower() in chars:
        start -= 1
    return start


def _assignment(m: re.Match[str], text: str) -> Edit | None:
    """`key=value`, `key: value`, `"key": "value"` where the whole key names a secret."""
    start = _key_start(text, m.start(), _KEY_CHARS)
    key = text[start : m.end("end")]
    _, vstart, vend, quoted = _value(m)
    if not is_secret_key(key) or keeps_value(key, text[vstart:vend]):
        return None
    if quoted or "=" in m.group("sep") or m.group("kq"):
        return _mask_value(text, vstart, vend, quoted)
    lead = _line_lead(text, start)
    if not lead.strip(" \t-"):  # YAML, or a header line: the value is the rest of the line
        eol = text.find("\n", vstart)
        rest = text[vstart : eol if eol >= 0 else len(text)].rstrip()
        if keeps_value(key, rest):
            return None  # `password:  8 bytes` in `kubectl describe secret`
        return _mask_value(text, vstart, vstart + len(rest), False)
    if lead.rstrip(" \t")[-1:] in ("{", "[", ","):  # a flow map, Go's `map[k:v]`
        return _mask_value(text, vstart, vend, quoted)
    # `error refreshing token: context deadline exceeded` is prose: after a colon in mid-line
    # the value must look like a credential.
    if looks_like_inline_secret(text[vstart:vend]):
        return _mask_value(text, vstart, vend, quoted)
    return None


def _flag(m: re.Match[str], text: str) -> Edit | None:
    """`--token abc123`: a CLI flag naming a secret, then its value after a space."""
    key_start = _key_start(text, m.start(), _FLAG_CHARS)
    if not text.startswith("-", key_start) or _word_before(text, key_start):
        return None
    key = text[key_start : m.end("end")]
    _, start, end, quoted = _value(m)
    value = text[start:end]
    if not is_secret_key(key) or keeps_value(key, value):
        return None
    if not quoted and not looks_like_inline_secret(value):
        return None  # `--token flag is required`: prose after a flag name
    return _mask_value(text, start, end, quoted)


# Tokens recognisable by their shape alone, with what each is called in the mask.
_SHAPES = {
    "github_token": r"gh[pousr]_[A-Za-z0-9]{36,}\b|github_pat_[A-Za-z0-9_]{22,}",
    "gitlab_token": r"glpat-[A-Za-z0-9_-]{20,}",
    "slack_token": r"xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,}",
    # Legacy keys are 48 mixed-case letters and digits without dashes (a pod name never has
    # uppercase); project, service-account, admin and Anthropic keys carry their prefix.
    "api_key": r"sk-(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{32,}"
    r"|sk-(?:proj|svcacct|admin|ant-(?:api|admin)\d\d)-[A-Za-z0-9_-]{20,}",
    "huggingface_token": r"hf_(?=[A-Za-z0-9]*[A-Z])[A-Za-z0-9]{30,}\b",
    "stripe_key": r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,}",
    "google_api_key": r"AIza[0-9A-Za-z_-]{35}",
    "ngc_api_key": r"nvapi-[A-Za-z0-9_-]{40,}",
    "npm_token": r"npm_[A-Za-z0-9]{36}\b",
    "sendgrid_key": r"SG\.[\w-]{22}\.[\w-]{43}\b",
    "aws_access_key_id": r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
    "jwt": r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
}


_SHAPE_PATTERNS = {kind: re.compile(rx) for kind, rx in _SHAPES.items()}


def _shape(m: re.Match[str], text: str) -> Edit | None:
    """A token by its shape: the anchor (lowercased) is checked against each exact pattern."""
    if _word_before(text, m.start()):
        return None
    for kind, pattern in _SHAPE_PATTERNS.items():
        found = pattern.match(text, m.start())
        if found:
            return found.start(), found.end(), mask(found.group(0), kind.replace("_", " "))
    return None


RULES: tuple[Rule, ...] = (
    Rule(re.compile(r"://[^\s:/@?#\"']*:(?P<pw>[^\s/?#\"']*)@"), _mask_group("pw")),
    Rule(
        re.compile(
            r"https?://(?:hooks\.slack\.com/(?:services|workflows|triggers)/"
            r"|(?:[a-z]+\.)?discord(?:app)?\.com/api/webhooks/\d+/)(?P<path>[\w/-]+)"
        ),
        _mask_group("path"),
    ),
    Rule(
        re.compile(
            r"authorization\\?[\"']?[ \t]*[:=][ \t]*\[?\\?[\"']?"
            r"(?P<scheme>(?:" + "|".join(_AUTH_SCHEMES) + r")[ \t]+)?(?P<cred>[^\s\"'\\,\]}]+)"
        ),
        _auth_header,
    ),
    Rule(re.compile(r"(?:bearer|basic)[ \t]+(?P<cred>[a-z0-9._~+/-]+=*)"), _bearer),
    Rule(
        # A user name is a plain word, so `date -u +%H:%M:%S` is not `curl -u user:pass`.
        re.compile(r"(?:-u|--user)(?:[ \t]+|=)[\"']?[\w.@-]+:(?P<pw>[^\s\"']+)"),
        _curl_user,
        lowercase=False,
    ),
    Rule(
        re.compile(
            r"name\\?[\"']?[ \t]*:[ \t]*\\?[\"']?(?P<key>[\w.-]{0,128}?" + KEY_ENDING + ")"
            r"\\?[\"']?[ \t]*(?:,[ \t]*|\r?\n[ \t]*(?:-[ \t]+)?)\\?[\"']?value\\?[\"']?[ \t]*:"
            r"[ \t]*(?:" + _QUOTED + r"|(?P<uv>[^\s\"',}\]]+))"
        ),
        _env_entry,
    ),
    Rule(
        re.compile(
            # The key's last word; `_assignment` finds where the key starts.
            r"(?P<end>" + KEY_ENDING + r")(?P<kq>\\?[\"'])?(?P<sep>[ \t]*(?:=(?!=)|:(?!:))[ \t]*)"
            # An unquoted value is a scalar, not a flow map or list (`secret: {secretName: x}`),
            # though it may sit in Go's brackets: `map[Cookie:[sid=1]]`.
            r"(?:" + _QUOTED + r"|\[?(?P<uv>[^\s\"'&;,<>|{\[][^\s\"'&;,<>|]*))"
        ),
        _assignment,
    ),
    Rule(
        re.compile(
            r"(?P<end>" + KEY_ENDING + r")[ \t]+"
            r"(?:" + _QUOTED + r"|(?P<uv>(?!-)[^\s\"']+))"
        ),
        _flag,
    ),
    Rule(re.compile(r"(?:password|identified by)[ \t]+'(?P<pw>[^'\n]+)'"), _mask_group("pw")),
    Rule(
        re.compile(
            r"(?P<end>" + KEY_ENDING + r")\\?[\"']?[ \t]*(?:,[ \t]*|\r?\n[ \t]*-[ \t]+)"
            r"(?:" + _QUOTED + r"|(?P<uv>[^\s\"',\]]+))"
        ),
        _argv_pair,
    ),
    Rule(
        re.compile(
            r"pass(?:word|wd|phrase)[ \t]+(?:(?:is|was|of)[ \t]+)?"
            r"(?:" + _QUOTED + r"|(?P<uv>[^\s\"']+))"
        ),
        _prose_password,
    ),
    Rule(re.compile(r"-p(?P<pw>[^\s\"',;|&\]\[]+)"), _attached_password, lowercase=False),
    Rule(
        re.compile(
            r"aws_?secret_?access_?key\\?[\"']?[ \t]*[:=]?[ \t]*\\?[\"']?"
            r"(?P<v>[a-z0-9/+]{40})(?![a-z0-9/+])"
        ),
        _mask_group("v"),
    ),
    Rule(
        re.compile(
            r"gh[pousr]_|github_pat_|glpat-|xox[abposre]-|xapp-|sk-|[sr]k_|whsec_|hf_|aiza"
            r"|nvapi-|npm_|sg\.|a(?:kia|sia|bia|cca)|eyj"
        ),
        _shape,
    ),
)
