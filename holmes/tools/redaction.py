"""Redaction at the tool boundary: secrets are masked in every text before it leaves a tool.

The tool registry (holmes/tools/registry.py) calls `redact` on each result's compact text and
`redact_data` on its structured data, so nothing a tool returns reaches an LLM, a chat channel
or a stored diagnosis with a credential in it.

What is masked (each shape has a test in tests/tools/test_redaction.py):
- credentials by shape: PEM private keys (whole block, also cut ones), JWTs, AWS access key
  ids, GitHub, GitLab, Slack, OpenAI/Anthropic, HuggingFace, Stripe, Google API, NGC, npm and
  SendGrid tokens, Slack and Discord webhook URLs;
- credentials by position: URL passwords (`postgres://user:[REDACTED]@host/db`),
  `Authorization:` headers, `Bearer`/`Basic` credentials, `curl -u user:pass`;
- values of keys that name a secret, in `key=value`, `key: value`, JSON, env, ADO/Azure
  connection strings, CLI flags (`--password=x`, `--token x`) and Kubernetes env entries
  (`{name: DB_PASSWORD, value: x}`); see holmes/tools/redaction_keys.py for how a key is judged;
- every value under `data`/`stringData` of a Kubernetes Secret, in data and in YAML/JSON text.

What stays, because it is evidence and redacting it destroys the diagnosis: image digests,
commit SHAs, UUIDs and GPU UUIDs, pod names and hashes, IPs, URLs without a password, base64 in
ConfigMaps, references to secrets (`secretName`, `secretKeyRef`, `valueFrom`, `<set to the key
'password' in secret 'db'>`), placeholders (`${DB_PASSWORD}`), file paths, empty values, and
keys whose last word is not a secret: `password_reset_link_sent=true`, `password_reset_url=`,
`token_count=512`, `max_tokens: 2048`, `eos_token: </s>`. Prose keeps its words: "failed to
refresh token for user alice", "missing Bearer token", "token: context deadline exceeded".

Deliberate limits: there is no entropy detector (it cannot tell a secret from a digest or a
UUID); a mid-line `key: value` after prose is masked only when the value looks like a
credential (has a digit or a symbol), and `--password word` only when the value is not a plain
word; `mysql -pSECRET` and `--pass` given as a separate positional word are not recognised.

Masks keep the key and name what was masked: `password=[REDACTED]`, `Bearer [REDACTED]`,
`[REDACTED github token]`, `-----BEGIN RSA PRIVATE KEY----- [REDACTED] -----END RSA PRIVATE
KEY-----`. Redaction is idempotent: masked text passes through unchanged.
"""

from __future__ import annotations

from typing import Any

from holmes.tools.redaction_anchors import windows
from holmes.tools.redaction_keys import MASK, is_secret_key, keeps_value
from holmes.tools.redaction_rules import PEM, RULES, Rule, mask_pem
from holmes.tools.redaction_secrets import mask_secret_manifests, mask_secret_object

__all__ = ["MASK", "redact", "redact_data"]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def redact(text: str) -> str:
    """Mask every secret-looking substring of `text`, keeping the names around it."""
    if "Secret" in text:
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
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def redact_data(data: Any) -> Any:
    """Redact structured data: strings as text, values of secret keys, Secret objects' data.

    Returns new containers (tuples become lists, as in JSON); the input is not changed.
    """
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return _redact_mapping(data)
    if isinstance(data, list | tuple):
        return [redact_data(value) for value in data]
    return data


def _redact_mapping(mapping: dict[Any, Any]) -> dict[Any, Any]:
    if mapping.get("kind") == "Secret":
        mapping = mask_secret_object(mapping)
    # A container env entry `{name: DB_PASSWORD, value: ...}`: the secret key is the name.
    name = mapping.get("name")
    env_secret = isinstance(name, str) and "value" in mapping and is_secret_key(name)
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
        return MASK
    if isinstance(value, str):
        return redact(value) if keeps_value(str(key), value) else MASK
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
