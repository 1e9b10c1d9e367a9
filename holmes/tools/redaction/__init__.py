"""Redaction at the tool boundary: secrets are masked in every text before it leaves a tool.

The tool registry (holmes/tools/registry.py) calls `redact` on each result's compact text and
`redact_data` on its structured data, so nothing a tool returns reaches an LLM, a chat channel
or a stored diagnosis with a credential in it.

What is masked (each shape has a test in tests/tools/test_redaction.py):
- credentials by shape: PEM private keys (whole block, also cut ones), JWTs, AWS access key
  ids, GitHub, GitLab, Slack, OpenAI/Anthropic, HuggingFace, Stripe, Google API, NGC, npm and
  SendGrid tokens, Slack and Discord webhook URLs;
- credentials by position: URL passwords (`postgres://user:[REDACTED:..]@host/db`),
  `Authorization:` headers, `Bearer`/`Basic` credentials, `curl -u user:pass`, a password
  glued to `-p` (`mysql -uroot -pS3cr3t`), a password named in prose (`login failed with
  password S3cr3t!`), the value after a secret flag in an argument list (`["--password", "x"]`,
  in data and as YAML or JSON text);
- values of keys that name a secret, in `key=value`, `key: value`, JSON, env, ADO/Azure
  connection strings, query strings (`?token=`, `api_key=`, `access_token=`), CLI flags
  (`--password=x`, `--token x`, `PGPASSWORD=x`) and Kubernetes env entries
  (`{name: DB_PASSWORD, value: x}`); see holmes/tools/redaction/keys.py for how a key is judged;
- env values that are credentials whatever their name: `user:password` pairs and long random
  strings, in env entries (data, YAML, JSON) and shell assignments (`MY_CREDS=svc:x ./run`)
  (holmes/tools/redaction/values.py, tests/tools/test_redaction_values.py);
- every value under `data`/`stringData` of a Kubernetes Secret, and under a ConfigMap's
  `binaryData`, in data and in YAML/JSON text.

What stays, because it is evidence and redacting it destroys the diagnosis: image digests,
commit SHAs, UUIDs and GPU UUIDs, pod names and hashes, IPs, URLs without a password, base64 in
ConfigMaps' `data`, references to secrets (`secretName`, `secretKeyRef`, `valueFrom`, `<set to
the key 'password' in secret 'db'>`), placeholders (`${DB_PASSWORD}`), file paths, empty values,
and keys whose last word is not a secret: `password_reset_link_sent=true`,
`password_reset_url=`, `token_count=512`, `max_tokens: 2048`, `eos_token: </s>`. Prose keeps
its words: "failed to refresh token for user alice", "missing Bearer token", "token: context
deadline exceeded", "the password is wrong".

Deliberate limits: the random-string detector runs on env values only (in a log it could not
tell a secret from a digest or a UUID as surely); a mid-line `key: value` after prose is masked
only when the value looks like a credential (has a digit or a symbol), and `--password word`
or `password word` only when the value is not a plain word.

Masks keep the key and name what was masked, and carry a stable id: a keyed hash of the secret
(`redaction_keys.mask`), so the same secret reads the same wherever it appears in an answer:
`password=[REDACTED:3f9a1c]`, `Bearer [REDACTED:07be22]`, `[REDACTED github token:5d0e41]`,
`-----BEGIN RSA PRIVATE KEY----- [REDACTED:9c1a7f] -----END RSA PRIVATE KEY-----`. Redaction is
idempotent: masked text passes through unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.tools.redaction.anchors import windows
from holmes.tools.redaction.keys import MASK, is_secret_key, keeps_value, mask
from holmes.tools.redaction.rules import PEM, RULES, Rule, mask_pem
from holmes.tools.redaction.secrets import (
    mask_binary_data,
    mask_secret_manifests,
    mask_secret_object,
)
from holmes.tools.redaction.values import looks_like_credential, mask_env_values

__all__ = ["MASK", "mask", "redact", "redact_data"]

_FLAG = re.compile(r"--?[A-Za-z][\w.-]*")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def redact(text: str) -> str:
    """Mask every secret-looking substring of `text`, keeping the names around it."""
    if "Secret" in text or "binaryData" in text:
        text = mask_secret_manifests(text)
    if "-----BEGIN" in text:
        text = PEM.sub(mask_pem, text)
    # Only the lines around an anchor go through the rules (see redaction_anchors.py).
    pieces, done = [], 0
    for start, end in windows(_lower(text)):
        chunk = text[start:end]
        lower = _lower(chunk)
        for rule in RULES:
            redacted = _apply(rule, chunk, lower)
            if redacted is not chunk:
                chunk, lower = redacted, _lower(redacted)
        pieces += [text[done:start], chunk]
        done = end
    if pieces:
        pieces.append(text[done:])
        text = "".join(pieces)
    return mask_env_values(text)


def redact_data(data: Any) -> Any:
    """Redact structured data: strings as text, values of secret keys, Secret objects' data.

    Returns new containers (tuples become lists, as in JSON); the input is not changed.
    """
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return _redact_mapping(data)
    if isinstance(data, list | tuple):
        return [redact_data(value) for value in _mask_flag_values(data)]
    return data


def _mask_flag_values(items: list[Any] | tuple[Any, ...]) -> list[Any] | tuple[Any, ...]:
    """An argument list with the value after each flag that names a secret masked:
    `["--password", "S3cr3t"]` (a container's command and args are lists of words)."""
    flags = [
        i
        for i, item in enumerate(items[:-1])
        if isinstance(item, str) and _FLAG.fullmatch(item) and is_secret_key(item)
    ]
    if not flags:
        return items
    masked = list(items)
    for i in flags:
        value = masked[i + 1]
        if isinstance(value, str) and not value.startswith("-") and not keeps_value("", value):
            masked[i + 1] = mask(value)
    return masked


def _redact_mapping(mapping: dict[Any, Any]) -> dict[Any, Any]:
    if mapping.get("kind") == "Secret":
        mapping = mask_secret_object(mapping)
    if isinstance(mapping.get("binaryData"), dict):
        mapping = mask_binary_data(mapping)
    # A container env entry `{name: DB_PASSWORD, value: ...}`: the secret key is the name, or
    # the value is a credential whatever the name (`{name: MY_CREDS, value: svc:Zq8#mP2v}`).
    name, value = mapping.get("name"), mapping.get("value")
    env_secret = isinstance(name, str) and "value" in mapping and is_secret_key(name)
    env_secret = env_secret or (
        isinstance(name, str) and isinstance(value, str) and looks_like_credential(value)
    )
    redacted = {}
    for key, value in mapping.items():
        secret = (env_secret and key == "value") or (isinstance(key, str) and is_secret_key(key))
        redacted[key] = _mask_scalar(key, value) if secret else redact_data(value)
    return redacted


def _mask_scalar(key: Any, value: Any) -> Any:
    """The value of a secret key masked, unless it is a container, a flag or a placeholder."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return mask(str(value))
    if isinstance(value, str):
        return redact(value) if keeps_value(str(key), value) else mask(value)
    if isinstance(value, list | tuple):
        return [_mask_scalar(key, item) for item in value]
    return redact_data(value)  # `serviceAccountToken: {path: token}` is a structure, not a secret


def _lower(text: str) -> str:
    """ASCII-lowercased `text` with the same offsets (`str.lower` may lengthen non-ASCII)."""
    lower = text.lower()
    return lower if len(lower) == len(text) else text.translate(_ASCII_LOWER)


def _apply(rule: Rule, text: str, lower: str) -> str:
    """Apply one rule: each match the judge accepts becomes an edit of the original text."""
    haystack = lower if rule.lowercase else text
    pieces, done = [], 0
    for match in rule.pattern.finditer(haystack):
        if match.start() < done:
            continue  # inside the value of an edit already made
        edit = rule.judge(match, text)
        if edit is None or edit[0] < done:
            continue
        start, end, replacement = edit
        pieces += [text[done:start], replacement]
        done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)
