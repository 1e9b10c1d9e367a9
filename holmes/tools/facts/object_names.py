"""Kubernetes' naming rules as pure predicates: which strings the API server accepts as a
namespace, a Service name, an RBAC name or any other object's name.

The rules are k8s.io/apimachinery/pkg/util/validation's and each kind's ValidateXName. The
Kubernetes tools' argument types (`holmes.tools.kubernetes.arguments`) refuse bad arguments
with them; triage checks the names it reads in a question with them before it asks anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
_RFC1123_LABEL = re.compile(_LABEL)
_RFC1123_SUBDOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_RFC1035_LABEL = re.compile(r"[a-z](?:[-a-z0-9]*[a-z0-9])?")

LABEL_RULE = (
    "an RFC 1123 label: lowercase letters, digits and '-', starting and ending with a "
    "letter or digit, at most 63 characters"
)
SUBDOMAIN_RULE = (
    "an RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with "
    "a letter or digit, at most 253 characters"
)
RFC1035_RULE = (
    "an RFC 1035 label: lowercase letters, digits and '-', starting with a letter and ending "
    "with a letter or digit, at most 63 characters"
)
PATH_SEGMENT_RULE = "a path segment name: not '.' or '..', and no '/' or '%'"

# Kinds whose names follow another rule than the subdomain (lowercased kind, plural, short name).
_SERVICE = frozenset({"service", "services", "svc"})
_NAMESPACE = frozenset({"namespace", "namespaces", "ns"})
_RBAC = frozenset(
    {
        *("role", "roles", "rolebinding", "rolebindings"),
        *("clusterrole", "clusterroles", "clusterrolebinding", "clusterrolebindings"),
    }
)


def is_label(value: str) -> bool:
    """An RFC 1123 label (namespaces, container names)."""
    return len(value) <= 63 and _RFC1123_LABEL.fullmatch(value) is not None


def is_subdomain(value: str) -> bool:
    """An RFC 1123 subdomain (most objects' names)."""
    return len(value) <= 253 and _RFC1123_SUBDOMAIN.fullmatch(value) is not None


def is_rfc1035(value: str) -> bool:
    """An RFC 1035 label (Service names: they become DNS labels)."""
    return len(value) <= 63 and _RFC1035_LABEL.fullmatch(value) is not None


def is_path_segment(value: str) -> bool:
    """A path segment name (Roles and their bindings: `system:controller:x` is valid)."""
    return bool(value) and value not in (".", "..") and not set(value) & {"/", "%"}


def name_rule(kind: str | None) -> tuple[str, Callable[[str], bool]]:
    """The rule (text, predicate) the API server applies to the names of `kind`.

    With no kind (an Event's involved object of any kind), the loosest rule of any kind."""
    key = (kind or "").strip().lower()
    if not key:
        return PATH_SEGMENT_RULE, is_path_segment
    if key in _SERVICE:
        return RFC1035_RULE, is_rfc1035
    if key in _NAMESPACE:
        return LABEL_RULE, is_label
    if key in _RBAC:
        return PATH_SEGMENT_RULE, is_path_segment
    return SUBDOMAIN_RULE, is_subdomain


def valid_name(value: str, kind: str | None = None) -> bool:
    """Whether `value` can name an object of `kind` (with no kind: of some kind, at most
    253 characters)."""
    return len(value) <= 253 and name_rule(kind)[1](value)
