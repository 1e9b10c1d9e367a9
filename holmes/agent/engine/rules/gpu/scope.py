"""Which GPUs belong to the subject.

The gpu runbooks read the `data.gpus` list of `prometheus_gpu_health` (one dict per GPU: node,
gpu, pods, readings, xid {code, info {cause, drain, action...}, since}, clock_reasons,
findings...). `gpu_scope` keeps the GPUs of the subject's pods, nodes or namespace, before
the xids and throttling modules classify them. Listed in `FUNCTIONS`; called by the
gpu-xid-errors and gpu-throttling runbooks.
"""

from __future__ import annotations

from typing import Any


def pod_ref(pod: Any) -> str:
    """A pod of a GPU's `pods` as `namespace/name`."""
    return str(pod or "")


def gpu_scope(gpus: Any, subject: Any, pods: Any) -> list[dict[str, Any]]:
    """The GPUs of `gpus` that belong to the subject.

    A GPU belongs when a pod of the subject holds it, when it is on a node the question or
    alert names (and is the GPU index the alert names, if any), or, when the exporter does not
    say which pod holds a GPU, when it is on the node of a described subject pod. A subject
    that names nothing (cluster scope) owns every GPU; a namespace scope owns its pods' GPUs.
    """
    subject = subject if isinstance(subject, dict) else {}
    refs = {f"{p.get('namespace')}/{p.get('name')}" for p in subject.get("pods") or []}
    refs |= {str(p.get("name")) for p in pods or [] if isinstance(p, dict)}
    nodes = {str(n) for n in subject.get("nodes") or []}
    pod_nodes = {str(p.get("node")) for p in pods or [] if isinstance(p, dict) and p.get("node")}
    index = subject.get("gpu")
    namespace = subject.get("namespace")
    scope = subject.get("scope")

    def belongs(gpu: dict[str, Any]) -> bool:
        held = [pod_ref(p) for p in gpu.get("pods") or []]
        node = gpu.get("node")
        checks = (
            any(p in refs for p in held),
            node in nodes and (index in (None, "") or str(gpu.get("gpu")) == str(index)),
            not held and node in pod_nodes,
            scope == "cluster" and not refs and not nodes,
            scope == "namespace"
            and bool(namespace)
            and not refs
            and any(p.startswith(f"{namespace}/") for p in held),
        )
        return any(checks)

    found = [gpu for gpu in gpus or [] if isinstance(gpu, dict) and belongs(gpu)]
    return found


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "gpu.scope": gpu_scope,
}
