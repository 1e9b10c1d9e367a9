"""What runbook expressions see: the request, the subject and triage's evidence as plain data,
and the words runbooks match (the question and the alert's annotations). Called by the engine
for the investigation and for each hop of a causal chain."""

from __future__ import annotations

from typing import Any

from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.rules.expressions import plain
from holmes.agent.engine.triage import Triage


def base_variables(request: InvestigationRequest, triaged: Triage) -> dict[str, Any]:
    """What every expression sees: the request, the subject and triage's evidence."""
    pods = [{**p["data"], "evidence_id": p["id"]} for p in triaged.pods if p["ok"]]
    containers = [
        {
            **container,
            "pod": pod.get("pod"),
            "evidence_id": pod.get("evidence_id"),
            "namespace": pod.get("namespace"),
            "node": pod.get("node"),
            "pod_status": pod.get("status"),
            "waiting_reason": ((container.get("state") or {}).get("waiting") or {}).get("reason"),
            "waiting_message": ((container.get("state") or {}).get("waiting") or {}).get("message"),
            "terminated_reason": ((container.get("state") or {}).get("terminated") or {}).get(
                "reason"
            ),
            "exit_code": ((container.get("state") or {}).get("terminated") or {}).get("exitCode"),
            "memory_limit": ((container.get("resources") or {}).get("limits") or {}).get("memory"),
        }
        for pod in pods
        for container in pod.get("containers", [])
    ]
    alert = request.alert
    return plain(
        {
            "question": request.question or "",
            "alert": {
                "name": alert.name if alert else "",
                "labels": alert.labels if alert else {},
                "annotations": alert.annotations if alert else {},
            },
            "subject": triaged.subject,
            "symptoms": triaged.symptoms,
            "pods": pods,
            "containers": containers,
            "workloads": [w["data"] for w in triaged.workloads if w["ok"]],
            "nodes": [n["data"] for n in triaged.nodes if n["ok"]],
            "evidence": {
                "pods": triaged.pods,
                "workloads": triaged.workloads,
                "nodes": triaged.nodes,
                "subject": triaged.listing,
            },
        }
    )


def question_text(request: InvestigationRequest) -> str:
    """The words runbooks match: the question and the alert's annotations."""
    alert = request.alert
    return " ".join([request.question or ""] + (list(alert.annotations.values()) if alert else []))
