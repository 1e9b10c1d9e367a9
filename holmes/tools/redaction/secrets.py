"""Kubernetes Secret objects: every value under `data` and `stringData` is masked, keys kept.

Called by `holmes.tools.redaction`: `mask_secret_object` on structured data (a dict whose
`kind` is `Secret`), `mask_secret_manifests` on text (YAML as `kubectl get -o yaml` prints it,
and JSON, including the `last-applied-configuration` annotation). The key names stay, because
"the Secret has no `password` key" or "`password` is empty" is often the diagnosis; an empty
value stays empty for the same reason. Other kinds' `data` (ConfigMaps) is evidence and stays.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.tools.redaction.keys import keeps_value, mask

_DATA_KEYS = ("data", "stringData", "string_data")  # string_data: kubernetes client to_dict()

_YAML_SECRET_KIND = re.compile(r"^[ \t]*(?:-[ \t]+)?kind:[ \t]*[\"']?Secret[\"']?[ \t]*$", re.M)
_YAML_DATA_LINE = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)?)(?:data|stringData):[ \t]*$")
_YAML_BINARY_DATA_LINE = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)?)binaryData:[ \t]*$")
_JSON_BINARY_DATA = re.compile(r"(?P<open>\"binaryData\\?\"\s*:\s*\{)(?P<body>[^{}]*)\}")
_YAML_ENTRY = re.compile(r"^(?P<pre>[ \t]*[^\s:#][^:]*:)(?P<value>[ \t]*\S.*)?$")
_JSON_SECRET_KIND = re.compile(r"\"kind\\?\"[ \t]*:[ \t]*\\?\"Secret\\?\"")
_JSON_DATA = re.compile(r"(?P<open>\"(?:data|stringData)\\?\"\s*:\s*\{)(?P<body>[^{}]*)\}")
# `"key": "value"`, or `\"key\": \"value\"` when the JSON sits escaped inside a string.
_JSON_ENTRY = re.compile(
    r"(?P<key>(?P<q>\\?\")(?:(?!(?P=q)).)*?(?P=q)\s*:\s*)(?P=q)(?P<value>(?:(?!(?P=q)).)*?)(?P=q)",
    re.S,
)


def mask_secret_object(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Secret object with each `data`/`stringData` value masked, keys kept."""
    masked = dict(obj)
    for key in _DATA_KEYS:
        values = obj.get(key)
        if isinstance(values, dict):
            masked[key] = {k: v if v in ("", None) else mask(str(v)) for k, v in values.items()}
    return masked


def mask_binary_data(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of an object (a ConfigMap) with every `binaryData` value masked, keys kept:
    binary files are unreadable as evidence, and may be keystores or credential files."""
    masked = dict(obj)
    masked["binaryData"] = {
        k: v if v in ("", None) else mask(str(v)) for k, v in obj["binaryData"].items()
    }
    return masked


def mask_secret_manifests(text: str) -> str:
    """Mask the data of every Secret, and every ConfigMap's binaryData, written out in `text`
    as YAML or JSON."""
    if "binaryData" in text:
        text = _mask_yaml_binary_data(text)
        text = _JSON_BINARY_DATA.sub(_mask_json_data, text)
    if _YAML_SECRET_KIND.search(text):
        text = _mask_yaml(text)
    if _JSON_SECRET_KIND.search(text):
        # A text holding a Secret's JSON may hold other objects' `data` too; masking their
        # values as well errs on the side of the secret.
        text = _JSON_DATA.sub(_mask_json_data, text)
    return text


def _mask_json_data(m: re.Match[str]) -> str:
    body = _JSON_ENTRY.sub(
        lambda e: (
            e.group(0) if not e.group("value") else f"{e['key']}{e['q']}{mask(e['value'])}{e['q']}"
        ),
        m.group("body"),
    )
    return f"{m.group('open')}{body}}}"


def _mask_yaml_binary_data(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        found = _YAML_BINARY_DATA_LINE.match(line)
        if found:
            _mask_block(lines, i + 1, len(found.group("lead")))
    return "\n".join(lines)


def _mask_yaml(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        found = _YAML_DATA_LINE.match(line)
        if found and _is_secret_mapping(lines, i, len(found.group("lead"))):
            _mask_block(lines, i + 1, len(found.group("lead")))
    return "\n".join(lines)


def _key_column(line: str) -> tuple[int, bool]:
    """Where a YAML line's key starts, and whether the line opens a list item (`- key:`)."""
    indent = len(line) - len(line.lstrip(" \t"))
    dash = line[indent : indent + 2] == "- "
    return indent + 2 if dash else indent, dash


def _is_secret_mapping(lines: list[str], at: int, column: int) -> bool:
    """Whether the mapping holding the key on line `at` (at `column`) has `kind: Secret`."""
    return _sibling_is_secret(lines, at, column, -1) or _sibling_is_secret(lines, at, column, 1)


def _sibling_is_secret(lines: list[str], at: int, column: int, step: int) -> bool:
    """Walk from line `at` up (-1) or down (1) over the keys of its mapping, looking for kind."""
    if step == -1 and _key_column(lines[at])[1]:
        return False  # `- data:` opens its list item: nothing of the item lies above
    i = at + step
    while 0 <= i < len(lines):
        line = lines[i]
        i += step
        if line.startswith("---"):
            return False  # another YAML document
        if not line.strip():
            continue
        key_column, dash = _key_column(line)
        if key_column < column or (step == 1 and dash and key_column == column):
            return False  # left the mapping, or reached the next list item
        if key_column == column and _YAML_SECRET_KIND.match(line):
            return True
        if step == -1 and dash and key_column == column:
            return False  # the first line of this list item
    return False


def _mask_block(lines: list[str], start: int, column: int) -> None:
    """Mask the values of the entries indented under a `data:` line, in place.

    Entries sit at one column; deeper lines continue a block scalar and are masked whole.
    """
    entry_column: int | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        key_column = _key_column(line)[0]
        if key_column <= column:
            return
        entry_column = entry_column if entry_column is not None else key_column
        entry = _YAML_ENTRY.match(line)
        if key_column > entry_column or entry is None:
            lines[i] = " " * key_column + mask(line)
            continue
        value = (entry.group("value") or "").strip()
        if value not in ("", '""', "''", "|", ">", "|-", ">-") and not keeps_value("", value):
            lines[i] = f"{entry.group('pre')} {mask(value)}"
