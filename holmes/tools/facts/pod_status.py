"""kubectl's pod STATUS column (`printPod` in kubernetes/pkg/printers/internalversion), the one
implementation the tools' summaries and the replay API server's Table answers share."""

from __future__ import annotations

from typing import Any


def kubectl_status(pod: dict[str, Any]) -> str:
    """The STATUS `kubectl get pods` prints: the pod's reason, `SchedulingGated`,
    `Init:<reason>` / `Init:i/n`, the first container's waiting or terminated reason,
    `Terminating`, or the phase."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"
    if _condition_reason(status, "PodScheduled") == "SchedulingGated":
        reason = "SchedulingGated"
    init_reason = _init_reason(status.get("initContainerStatuses") or [])
    reason = init_reason or _container_reason(status, reason)
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return reason


def _init_reason(init_statuses: list[dict[str, Any]]) -> str:
    """`Init:<reason>` or `Init:i/n` while an init container has not succeeded, else ""."""
    for index, container in enumerate(init_statuses):
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated and terminated.get("exitCode") == 0:
            continue
        if terminated:
            if terminated.get("reason"):
                return "Init:" + terminated["reason"]
            signal = terminated.get("signal")
            return (
                f"Init:Signal:{signal}" if signal else f"Init:ExitCode:{terminated.get('exitCode')}"
            )
        if waiting and waiting.get("reason") not in (None, "", "PodInitializing"):
            return "Init:" + waiting["reason"]
        return f"Init:{index}/{len(init_statuses)}"
    return ""


def _container_reason(status: dict[str, Any], reason: str) -> str:
    """The first container's waiting or terminated reason (kubectl walks them backwards and
    the last one written wins), else `reason`."""
    running = False
    for container in reversed(status.get("containerStatuses") or []):
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated and terminated.get("reason"):
            reason = terminated["reason"]
        elif terminated:
            signal = terminated.get("signal")
            reason = f"Signal:{signal}" if signal else f"ExitCode:{terminated.get('exitCode')}"
        elif state.get("running") and container.get("ready"):
            running = True
    if reason == "Completed" and running:
        reason = "Running" if _condition_reason(status, "Ready", "True") is not None else "NotReady"
    return reason


def _condition_reason(status: dict[str, Any], kind: str, wanted: str | None = None) -> str | None:
    """The reason ("" when unset) of the condition `kind` (with status `wanted`), else None."""
    for condition in status.get("conditions") or []:
        if condition.get("type") == kind and wanted in (None, condition.get("status")):
            return condition.get("reason") or ""
    return None
