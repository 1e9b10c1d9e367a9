"""Label and field selectors of list requests, parsed and matched as kube-apiserver does.

Used by `kubernetes_store` when it answers a list: `labelSelector` (parsed by
`holmes.tools.facts.LabelSelector.parse`) supports `=`, `==`, `!=`,
`in`, `notin`, `key` (exists), `!key` (does not exist), `>` and `<`; `fieldSelector` supports
`=`, `==` and `!=` over the fields the real server indexes for that resource, and rejects any
other field with the real server's words (`field label not supported: <name>`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from holmes.tools.facts.selectors import SelectorError

__all__ = ["SelectorError", "field_matcher", "parse_field_selector"]


@dataclass(frozen=True)
class FieldRequirement:
    """One term of a field selector: `field=value` or `field!=value`."""

    field: str
    value: str
    negated: bool


def parse_field_selector(text: str) -> list[FieldRequirement]:
    """Parse a `fieldSelector` value (terms split on unescaped commas, `\\` escapes)."""
    requirements = []
    for term in _split_unescaped(text, ","):
        if not term.strip():
            continue
        match = re.match(r"^\s*([^=!\s]+)\s*(==|!=|=)(.*)$", term, re.DOTALL)
        if match is None:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{term}'")
        field, operator, value = match.groups()
        requirements.append(FieldRequirement(field, _unescape(value), operator == "!="))
    return requirements


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _path(*keys: str) -> Callable[[dict[str, Any]], str]:
    """A getter for a nested field; absent fields read as "" as the server's field sets do."""

    def get(obj: dict[str, Any]) -> str:
        current: Any = obj
        for key in keys:
            current = current.get(key) if isinstance(current, dict) else None
        if isinstance(current, bool):
            return "true" if current else "false"
        return "" if current is None else str(current)

    return get


_OBJECT_FIELDS = {
    "metadata.name": _path("metadata", "name"),
    "metadata.namespace": _path("metadata", "namespace"),
}
_REFERENCE_FIELDS = (
    "kind",
    "namespace",
    "name",
    "uid",
    "apiVersion",
    "resourceVersion",
    "fieldPath",
)

# Indexed fields per (group, kind), beyond metadata.name and metadata.namespace, from the
# field label conversion functions the real API server registers.
_FIELDS: dict[tuple[str, str], dict[str, Callable[[dict[str, Any]], str]]] = {
    ("", "Pod"): {
        "spec.nodeName": _path("spec", "nodeName"),
        "spec.restartPolicy": _path("spec", "restartPolicy"),
        "spec.schedulerName": _path("spec", "schedulerName"),
        "spec.serviceAccountName": _path("spec", "serviceAccountName"),
        "spec.hostNetwork": lambda obj: _path("spec", "hostNetwork")(obj) or "false",
        "status.phase": _path("status", "phase"),
        "status.podIP": _path("status", "podIP"),
        "status.nominatedNodeName": _path("status", "nominatedNodeName"),
    },
    ("", "Event"): {
        **{f"involvedObject.{name}": _path("involvedObject", name) for name in _REFERENCE_FIELDS},
        "reason": _path("reason"),
        "reportingComponent": _path("reportingComponent"),
        "source": _path("source", "component"),
        "type": _path("type"),
    },
    ("events.k8s.io", "Event"): {
        **{f"regarding.{name}": _path("regarding", name) for name in _REFERENCE_FIELDS},
        "reason": _path("reason"),
        "reportingController": _path("reportingController"),
        "type": _path("type"),
    },
    ("", "Node"): {"spec.unschedulable": lambda o: _path("spec", "unschedulable")(o) or "false"},
    ("", "Namespace"): {"status.phase": _path("status", "phase")},
    ("", "Secret"): {"type": _path("type")},
    ("", "ReplicationController"): {"status.replicas": _path("status", "replicas")},
    ("apps", "ReplicaSet"): {"status.replicas": _path("status", "replicas")},
    ("batch", "Job"): {"status.successful": _path("status", "succeeded")},
    ("certificates.k8s.io", "CertificateSigningRequest"): {
        "spec.signerName": _path("spec", "signerName")
    },
}


def field_matcher(
    group: str, kind: str, requirements: list[FieldRequirement]
) -> Callable[[dict[str, Any]], bool]:
    """A predicate for one resource; raise `SelectorError` for a field it does not index."""
    fields = {**_OBJECT_FIELDS, **_FIELDS.get((group, kind), {})}
    getters = []
    for requirement in requirements:
        getter = fields.get(requirement.field)
        if getter is None:
            raise SelectorError(f"field label not supported: {requirement.field}")
        getters.append((getter, requirement))

    def matches(obj: dict[str, Any]) -> bool:
        return all((get(obj) == req.value) != req.negated for get, req in getters)

    return matches
