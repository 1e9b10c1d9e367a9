"""What concerns the subject: the conversations, HTTP servers and DNS names of the workloads,
Services or pods the question or alert names, else of its namespace.

`in_scope` is used by the drops, dns and upstream modules to keep what is about the subject,
and listed in `FUNCTIONS` as `net.in_scope`.
"""

from __future__ import annotations

from typing import Any


def subject_names(subject: Any) -> list[str]:
    """`namespace/name` of the workloads, services and pods the subject names."""
    subject = subject if isinstance(subject, dict) else {}
    names: list[str] = []
    for group in ("workloads", "services"):
        for ref in subject.get(group) or []:
            name = f"{ref.get('namespace')}/{ref.get('name')}"
            if name not in names:
                names.append(name)
    if subject.get("scope") == "named":
        for pod in subject.get("pods") or []:
            name = f"{pod.get('namespace')}/{pod.get('name')}"
            if name not in names:
                names.append(name)
    return names


def _ends(item: dict[str, Any]) -> list[str]:
    ends = [item.get("client"), item.get("server")]
    ends += list(item.get("clients") or [])
    return [e for e in ends if isinstance(e, str) and e]


def _namespaces_of(item: dict[str, Any]) -> set[str]:
    found = {item.get("client_namespace"), item.get("server_namespace"), item.get("namespace")}
    found |= {end.split("/", 1)[0] for end in _ends(item) if "/" in end}
    return {n for n in found if n}


def _named(end: str, names: list[str]) -> bool:
    # A Hubble endpoint is `ns/workload` or `ns/pod`; a pod `ns/web-7d9f-abc12` belongs to
    # the workload `ns/web`.
    return any(end == name or end.startswith(name + "-") for name in names)


def in_scope(items: Any, subject: Any) -> list[dict[str, Any]]:
    """The items (conversations, HTTP servers, DNS names) that concern the subject.

    Those touching a workload, Service or pod the subject names; when none does, those with an
    end in the subject's namespace; for a cluster-wide subject, all of them.
    """
    items = [i for i in items or [] if isinstance(i, dict)]
    subject = subject if isinstance(subject, dict) else {}
    names = subject_names(subject)
    if names:
        named = [i for i in items if any(_named(end, names) for end in _ends(i))]
        if named:
            return named
    namespace = subject.get("namespace")
    if namespace:
        return [i for i in items if namespace in _namespaces_of(i)]
    return [] if names else items


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "net.in_scope": in_scope,
}
