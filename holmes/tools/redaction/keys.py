"""Which key names hold secrets, and which values are not secrets whatever their key.

Used by the text rules (holmes/tools/redaction/rules.py) and the structured-data walk
(holmes/tools/redaction.py). A key is judged by its LAST word, because the last word names what
the value is: `DB_PASSWORD`, `clientSecret`, `x-api-key` and `aws_secret_access_key` hold
secrets, while `password_reset_url`, `password_reset_link_sent`, `token_count`, `max_tokens`,
`secretName`, `secretKeyRef` and `DB_PASSWORD_FILE` hold a URL, a flag, a count, a name, a
reference and a path: evidence, kept intact.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache

MASK = "[REDACTED]"  # how every mask begins; `mask` adds a label and a stable id
# The key of the masks' ids: random per process, so the same secret gets the same mask within
# an answer (evidence still reads "the same password in E3 and E7"), while an id cannot be
# checked against guessed passwords by anyone who reads the answer.
_MASK_KEY = secrets.token_bytes(16)


def mask(secret: str, label: str = "") -> str:
    """The placeholder of one secret: `[REDACTED:3f9a1c]`, `[REDACTED jwt:3f9a1c]`.

    The id is a keyed hash of the secret, so a secret masked in two tool results, or twice in
    one, reads the same."""
    digest = hmac.new(_MASK_KEY, secret.strip().encode(), hashlib.sha256).hexdigest()[:6]
    return f"[REDACTED{' ' + label if label else ''}:{digest}]"


# Last words that name a secret on their own.
_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
        "cookie",
        "signature",
    }
)
# Run-together lowercase keys end with one of these: `dbpassword`, `identitytoken`, `accountkey`.
_SECRET_SUFFIXES = (
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "accountkey",
    "passphrase",
)
# `<qualifier> key` is a secret (`api_key`, `AccountKey`, `tls.key`); `key` alone is a label or
# toleration key (`key: nvidia.com/gpu`), and `secretKeyRef.key` names a key, so it is not.
_KEY_QUALIFIERS = frozenset(
    {
        "access",
        "account",
        "api",
        "auth",
        "client",
        "encryption",
        "master",
        "private",
        "secret",
        "shared",
        "signing",
        "ssh",
        "ssl",
        "storage",
        "subscription",
        "tls",
    }
)
# `<word> <last word>` pairs that name something else: a vocabulary entry or a page cursor
# (tokenizer configs, `eos_token: </s>`, are evidence in AI serving incidents), and the
# Helm convention `existingSecret: <name of a Secret>`.
_NOT_SECRETS = {
    "token": frozenset(
        {"bos", "eos", "pad", "unk", "sep", "cls", "mask", "special", "next", "page", "continue"}
    ),
    "secret": frozenset({"existing"}),
}
# Whole keys that hold secrets although their last word does not say so.
_SECRET_KEYS = frozenset(
    {
        ("private", "key", "id"),  # GCP service-account JSON
        ("client", "key", "data"),  # kubeconfig
        ("dockerconfigjson",),  # Secret of type kubernetes.io/dockerconfigjson
        ("dockercfg",),
        ("sig",),  # Azure SAS query parameter
    }
)
# Keys that hold a secret only when the value looks random: `auth: enabled` and
# `basic_auth=true` are settings (`"auth": "<base64>"` in .dockerconfigjson is a secret),
# `pass=12 fail=0` is a test count.
_NEEDS_RANDOM_VALUE = frozenset({("sig",), ("pass",)})
_NEEDS_RANDOM_LAST = "auth"

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_PLACEHOLDER = re.compile(
    r"""(?ix)
    \[REDACTED[^\]]*\]? | \*+ | x{3,} | <[^>]*>? | \$\{.*\}? | \$\(.*\)? | \{\{.*(\}\})?
    | %[sdv] | true | false | yes | no | on | off | null | none | nil | undefined
    | \d+\s+bytes          # `kubectl describe secret` shows sizes, not values
    """
)
_PATH = re.compile(r"(?:/|~/|\./)[\w./@-]*")
_PROSE_WORD = re.compile(r"[A-Z]?[a-z]+(?:[-_.][a-z]+)*[.,:;!?)]*")


def words(key: str) -> tuple[str, ...]:
    """Split a key on separators and camelCase into lowercase words: `clientSecret` -> 2."""
    return tuple(w.lower() for w in _WORD.findall(key))


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Whether a key (`DB_PASSWORD`, `"api-key"`, `--token`) names a secret value."""
    parts = words(key)
    if not parts:
        return False
    if parts in _SECRET_KEYS or parts[-3:] in _SECRET_KEYS:
        return True
    last = parts[-1]
    if len(parts) > 1 and parts[-2] in _NOT_SECRETS.get(last, ()):
        return False
    if last in _SECRET_WORDS or last == _NEEDS_RANDOM_LAST or last.endswith(_SECRET_SUFFIXES):
        return True
    return last == "key" and len(parts) > 1 and parts[-2] in _KEY_QUALIFIERS


def keeps_value(key: str, value: str) -> bool:
    """Whether `value` under a secret `key` is not a secret: empty, a placeholder, a path.

    Placeholders (`${DB_PASSWORD}`, `<set to the key 'password' in secret 'db'>`, `****`,
    `true`) and file paths (`GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/key.json`,
    `PWD=/app`) are evidence about configuration, and an already masked value stays as it is,
    which makes redaction idempotent.
    """
    value = value.strip()
    if not value or value.lstrip("[").startswith("REDACTED") or _PLACEHOLDER.fullmatch(value):
        return True
    if _PATH.fullmatch(value):
        return True
    parts = words(key)
    needs_random = parts in _NEEDS_RANDOM_VALUE or parts[-1:] == (_NEEDS_RANDOM_LAST,)
    return needs_random and not looks_random(value)


def looks_random(value: str) -> bool:
    """Whether a value looks like a credential rather than a word of prose.

    At least 8 characters and not a lowercase (or capitalised) word: `hunter22`, `dXNlcjpw`,
    `abcdefghijklmnop1234` do; `authentication`, `token`, `Expired.` do not.
    """
    return len(value) >= 8 and not _PROSE_WORD.fullmatch(value)


def looks_like_inline_secret(value: str) -> bool:
    """Whether a value after `key:` in the middle of a prose line is a credential.

    Stricter than `looks_random`, because log prose puts words after colons
    (`failed to refresh token: context deadline exceeded`): the value must hold a digit or a
    symbol and be at least 6 characters long (`token: 401` is a status code).
    """
    if len(value) < 6 or _PROSE_WORD.fullmatch(value):
        return False
    return any(not c.isalpha() for c in value)
