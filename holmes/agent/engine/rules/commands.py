"""Shared remediation command builders for the runbooks' CEL templates.

A workload is changed in place with `kubectl edit`; a Pod or a Job cannot change its pod spec
in place, so it is exported, edited and replaced. Each runbook composes its own comment around
these pieces rather than spelling the commands out again.
"""

from __future__ import annotations

from typing import Any

# Kinds whose pod spec is immutable once created.
_REPLACED_KINDS = ("Pod", "Job")


def _field(owner: Any, name: str) -> str:
    return str(owner.get(name) or "") if isinstance(owner, dict) else ""


def replaced_in_full(owner: Any) -> bool:
    """Whether `k8s.owner` (`{kind, name, ref}`) must be exported and replaced, not edited."""
    return _field(owner, "kind") in _REPLACED_KINDS


def kubectl_edit(namespace: Any, owner: Any) -> str:
    """`kubectl -n ns edit deployment/x`."""
    return f"kubectl -n {namespace} edit {_field(owner, 'ref')}"


def kubectl_export(namespace: Any, owner: Any) -> str:
    """`kubectl -n ns get job/x -o yaml > x.yaml`: the object as a file to edit."""
    return (
        f"kubectl -n {namespace} get {_field(owner, 'ref')} -o yaml > {_field(owner, 'name')}.yaml"
    )


def kubectl_replace(owner: Any) -> str:
    """`kubectl replace --force -f x.yaml`: the edited file back, recreating the object."""
    return f"kubectl replace --force -f {_field(owner, 'name')}.yaml"


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.replaced_in_full": replaced_in_full,
    "k8s.kubectl_edit": kubectl_edit,
    "k8s.kubectl_export": kubectl_export,
    "k8s.kubectl_replace": kubectl_replace,
}
