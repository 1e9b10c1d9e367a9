"""Credentials recognised by their value, whatever the name they are stored under.

Used by the redaction of env entries (holmes/tools/redaction.py on structured data,
`mask_env_values` here on text): `MY_CREDS=svc:Zq8#mP2v` and
`UPSTREAM=dXNlcjpwYXNzd29yZDEyMw==` name no secret, yet hold one. Two shapes are judged here
(known token formats such as JWTs and AWS keys are masked wherever they appear by the shape
rules):

- a `user:password` pair, whose password is not a port, a tag or a plain word
  (`svc:hunter22` is one; `redis:6379`, `nginx:1.25-alpine`, `app:frontend` are not);
- a long random string: once the words, numbers and version-like parts between separators
  are set aside, at least 16 characters remain, mixing lower case, upper case and digits,
  with a spread of characters (Shannon entropy) a word never has.

What they must never take, because it is evidence: image names and tags, sha256 digests and
other hex hashes, UIDs and GPU UUIDs (`GPU-8a1f...`), the hash suffixes of pod names (lower
case only), resourceVersions, IPs and timestamps. Each has a test in
tests/tools/test_redaction_values.py, in both directions.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from holmes.tools.redaction.keys import is_secret_key, mask

_PAIR = re.compile(r"(?P<user>[A-Za-z_][\w.@-]{0,63}):(?P<password>[^\s:/@]{6,128})")
_NOT_USERS = frozenset({"sha1", "sha256", "sha384", "sha512", "md5", "http", "https", "tcp"})
_TAG_OR_PORT = re.compile(r"v?\d.*")  # `6379`, `6379,db=0`, `1.25-alpine`, `v2.1`
_PROSE_WORD = re.compile(r"[A-Z]?[a-z]+(?:[-_.][a-z]+)*")
_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-.~!@#$%^&*]{16,1024}")
_HEX_LIKE = re.compile(r"(?:[0-9a-fA-F]+[-:]?)+")
_SEPARATORS = re.compile(r"[-_./:]")
_WORDISH = re.compile(r"[A-Z]?[a-z]+|[A-Z]+|\d+|v\d+[a-z]*\d*")
_UUID_PREFIXES = ("GPU-", "MIG-")
_MIN_RANDOM = 16
_MIN_ENTROPY = 3.0  # bits per character; a 16-character random run scores about 3.7
# `value: x` of an env entry, in YAML, a flow map or JSON (escaped inside a string too).
_VALUE = re.compile(
    r"value\\?[\"']?[ \t]*:[ \t]*(?:(?P<q>\\?[\"'])(?P<quoted>[^\"'\\\n]{6,1024})(?P=q)"
    r"|(?P<plain>[^\s\"',}\]]{6,1024}))"
)
# The entry's `name:` before its value: on the line above (YAML), or earlier in the same map.
_NAME_BEFORE = re.compile(
    r"name\\?[\"']?[ \t]*:[ \t]*\\?[\"']?(?P<name>[\w.-]{1,128})\\?[\"']?"
    r"[ \t]*(?:,[ \t]*|\r?\n[ \t]*(?:-[ \t]+)?)\\?[\"']?$"
)
_NAME_WINDOW = 200
_ASSIGNED = re.compile(r"=(?P<value>[^\s\"'&;|<>()]{6,1024})")
_ENV_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def mask_env_values(text: str) -> str:
    """Mask env values that are credentials whatever their variable's name says: the value of
    an env entry (`name: X` then `value: V`, YAML, flow map or JSON) and of a shell assignment
    (`MY_CREDS=svc:Zq8#mP2v ./run`). A secret name is the key rules' case. Both scans start
    with a literal (`value`, `=`), so a text without either costs almost nothing."""
    edits = [*_entry_values(text), *_shell_values(text)]
    if not edits:
        return text
    pieces, done = [], 0
    for start, end in sorted(edits):
        if start < done:
            continue
        pieces += [text[done:start], mask(text[start:end])]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _entry_values(text: str) -> list[tuple[int, int]]:
    if "value" not in text:
        return []
    spans = []
    for found in _VALUE.finditer(text):
        group = "quoted" if found.group("quoted") is not None else "plain"
        if not looks_like_credential(found.group(group)):
            continue
        entry = _NAME_BEFORE.search(text[max(0, found.start() - _NAME_WINDOW) : found.start()])
        if entry is not None and not is_secret_key(entry.group("name")):
            spans.append((found.start(group), found.end(group)))
    return spans


def _shell_values(text: str) -> list[tuple[int, int]]:
    spans = []
    for found in _ASSIGNED.finditer(text):
        start = found.start()
        while start > 0 and text[start - 1] in _ENV_NAME_CHARS:
            start -= 1
        name = text[start : found.start()]
        if not (len(name) >= 2 and name[0].isalpha()) or (start and text[start - 1].isalnum()):
            continue
        if looks_like_credential(found.group("value")) and not is_secret_key(name):
            spans.append((found.start("value"), found.end("value")))
    return spans


def looks_like_credential(value: str) -> bool:
    """Whether a value stored under any name is a credential (a user:password pair or a
    long random string)."""
    value = value.strip()
    if not value or value.startswith("[REDACTED"):
        return False
    return is_user_password_pair(value) or looks_high_entropy(value)


def is_user_password_pair(value: str) -> bool:
    """`user:password`, not `image:tag`, `host:port`, `digest-algorithm:hex` or `key:word`."""
    found = _PAIR.fullmatch(value)
    if found is None or found["user"].lower() in _NOT_USERS:
        return False
    password = found["password"]
    if _TAG_OR_PORT.fullmatch(password) or _PROSE_WORD.fullmatch(password):
        return False
    mixed_case = any(c.islower() for c in password) and any(c.isupper() for c in password)
    return mixed_case or any(not c.isalpha() for c in password)


def looks_high_entropy(value: str) -> bool:
    """A long run of random characters, once words, numbers and versions are set aside."""
    if not _TOKEN.fullmatch(value) or _HEX_LIKE.fullmatch(value):
        return False
    if value.upper().startswith(_UUID_PREFIXES):
        return False
    rest = "".join(part for part in _SEPARATORS.split(value) if not _WORDISH.fullmatch(part))
    if len(rest) < _MIN_RANDOM:
        return False
    classes = (
        any(c.islower() for c in rest),
        any(c.isupper() for c in rest),
        any(c.isdigit() for c in rest),
    )
    return all(classes) and entropy(rest) >= _MIN_ENTROPY


def entropy(text: str) -> float:
    """Shannon entropy of `text` in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_like_attached_password(value: str) -> bool:
    """Whether `S3cr3t` of `mysql -pS3cr3t` is a password, not `-p8080:80` or `-pthread`."""
    if len(value) < 4 or _PROSE_WORD.fullmatch(value) or re.fullmatch(r"[\d:.,/-]+", value):
        return False
    return value[:1] not in "-/$<{[" and not value.startswith("REDACTED")
