"""Labels and label selectors, as Kubernetes and Cilium match them.

Selector semantics follow Kubernetes (matchLabels, matchExpressions; `{}` selects all) and
Cilium (`k8s:` and `any:` label prefixes, `k8s:io.kubernetes.pod.namespace`, the
`io.cilium.k8s.namespace.labels.` labels of an endpoint's namespace). `net_peer` names an
endpoint by the label that says which workload it is.

Used by the rules and policies modules; `net_peer` and `selector_matches` (as
`net.selector_matches`) are listed in `FUNCTIONS`, `net_peer` called by the
hubble-policy-denied and cilium-auth-required runbooks.
"""

from __future__ import annotations

from typing import Any

from holmes.tools.facts.selectors import LabelSelector

NAMESPACE_LABEL = "io.kubernetes.pod.namespace"
_NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels."
# Labels that say which workload an endpoint is, best first.
_NAMING_LABELS = (
    "app",
    "app.kubernetes.io/name",
    "k8s-app",
    "name",
    "app.kubernetes.io/component",
    "component",
)


def label_key(key: str) -> str:
    """A label key without its Cilium source prefix (`k8s:app` -> `app`)."""
    for prefix in ("k8s:", "any:"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def plain_labels(labels: Any) -> dict[str, str]:
    """Labels as strings, their keys without source prefixes."""
    return {label_key(str(k)): str(v) for k, v in (labels or {}).items()}


def endpoint_labels(labels: Any, namespace: Any) -> dict[str, str]:
    """An endpoint's labels for matching: prefixes cut, its namespace label present."""
    found = plain_labels(labels)
    if namespace and NAMESPACE_LABEL not in found:
        found[NAMESPACE_LABEL] = str(namespace)
    return found


def namespace_labels(endpoint: dict[str, str]) -> dict[str, str]:
    """The labels of an endpoint's namespace, as a namespaceSelector sees them."""
    found = {
        key[len(_NAMESPACE_LABELS_PREFIX) :]: value
        for key, value in endpoint.items()
        if key.startswith(_NAMESPACE_LABELS_PREFIX)
    }
    namespace = endpoint.get(NAMESPACE_LABEL)
    if namespace:
        found.setdefault("kubernetes.io/metadata.name", namespace)
    return found


def selector_matches(selector: Any, labels: Any) -> bool:
    """A label selector (matchLabels, matchExpressions; `{}` selects all) against labels,
    Cilium source prefixes cut from both."""
    if not isinstance(selector, dict):
        return False
    return LabelSelector.of(selector).with_keys(label_key).matches(plain_labels(labels))


def selector_text(selector: Any) -> str:
    """`app=backend`, `every pod` for `{}`, with expressions as `tier in (a,b)`."""
    if not isinstance(selector, dict):
        return ""
    words = [f"{label_key(str(k))}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        key, operator = label_key(str(expression.get("key", ""))), expression.get("operator")
        values = ",".join(str(v) for v in expression.get("values") or [])
        words.append(f"{key} {str(operator).lower()} ({values})" if values else f"{key} {operator}")
    words = [
        f"namespace {w.split('=', 1)[1]}" if w.startswith(NAMESPACE_LABEL + "=") else w
        for w in words
    ]
    return ",".join(words) or "every pod"


def net_peer(labels: Any) -> str:
    """The label that names an endpoint's workload, as `key=value` (`app=frontend`)."""
    found = plain_labels(labels)
    for key in _NAMING_LABELS:
        if key in found:
            return f"{key}={found[key]}"
    plain = sorted(
        f"{k}={v}"
        for k, v in found.items()
        if not k.startswith(("io.cilium", "io.kubernetes", "reserved:"))
        and k not in ("pod-template-hash", "controller-revision-hash")
    )
    return plain[0] if plain else ""


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "net.peer": net_peer,
    "net.selector_matches": selector_matches,
}
