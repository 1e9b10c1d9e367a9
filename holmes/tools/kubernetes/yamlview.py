"""A compact YAML view of one object: the fields that matter, none of the bookkeeping.

Used by `kubernetes_get`. Drops `managedFields`, the last-applied annotation, resourceVersion,
selfLink and generateName noise; shows Secret values only as their size (Secrets should be
recorded without data, but a live cluster sends it); prints multi-line strings (config files in
ConfigMaps) as YAML block literals so they read as the files they are.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import yaml

_DROPPED_METADATA = ("managedFields", "resourceVersion", "selfLink", "generation")
_DROPPED_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision-history",
)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as `|` blocks."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def trimmed(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of `obj` without bookkeeping fields and with Secret values replaced by sizes."""
    obj = copy.deepcopy(obj)
    metadata = obj.get("metadata") or {}
    for key in _DROPPED_METADATA:
        metadata.pop(key, None)
    annotations = metadata.get("annotations") or {}
    for key in _DROPPED_ANNOTATIONS:
        annotations.pop(key, None)
    if not annotations:
        metadata.pop("annotations", None)
    if obj.get("kind") == "Secret":
        for key in ("data", "stringData"):
            if isinstance(obj.get(key), dict):
                obj[key] = {name: _secret_size(value) for name, value in obj[key].items()}
    return obj


def _secret_size(value: Any) -> str:
    try:
        size = len(base64.b64decode(str(value), validate=False))
    except ValueError:
        size = len(str(value))
    return f"<hidden: {size} bytes>"


def yaml_view(obj: dict[str, Any]) -> str:
    """The trimmed object as block YAML (keys in the API server's order)."""
    return yaml.dump(
        trimmed(obj), Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100
    ).rstrip()
