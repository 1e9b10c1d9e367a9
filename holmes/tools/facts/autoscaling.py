"""Autoscalers as typed facts: a HorizontalPodAutoscaler's (autoscaling/v2) or a KEDA
ScaledObject's (keda.sh/v1alpha1) bounds, replicas, metrics and unhealthy conditions.

Built by the `kubernetes_autoscalers` tool from the API objects and read by the evidence sweep
(holmes/agent/engine/sweep*.py); pure functions.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

# Condition reasons that say the autoscaler cannot read the metric it scales on.
_METRICS_UNAVAILABLE = (
    "FailedGetResourceMetric",
    "FailedGetExternalMetric",
    "FailedGetObjectMetric",
    "FailedGetPodsMetric",
    "FailedGetContainerResourceMetric",
    "InvalidMetricSourceType",
    "ScaledObjectCheckFailed",
    "TriggerError",
)
# Conditions that are healthy when "False" (a KEDA Fallback, an HPA not limited).
_HEALTHY_FALSE = {"ScalingLimited", "Fallback", "Paused"}


class AutoscalerFacts(BaseModel):
    """One autoscaler: what it scales, between which bounds, where it stands, what is wrong."""

    kind: str  # HorizontalPodAutoscaler or ScaledObject
    name: str
    namespace: str
    target_kind: str = ""
    target_name: str = ""
    min_replicas: int | None = None
    max_replicas: int | None = None
    current_replicas: int | None = None
    desired_replicas: int | None = None
    metrics: list[str] = []  # "cpu 97% (target 60%)"
    problems: list[str] = []  # "ScalingActive=False (FailedGetResourceMetric: ...)"
    at_max: bool = False
    limited: bool = False  # it wants more replicas than its maximum
    metrics_unavailable: bool = False
    hpa_name: str = ""  # the HPA a ScaledObject drives


def _conditions(obj: dict[str, Any]) -> tuple[list[str], bool, bool]:
    """(unhealthy conditions as text, metrics unavailable, limited by its maximum)."""
    problems, unavailable, limited = [], False, False
    for condition in (obj.get("status") or {}).get("conditions") or []:
        kind, status = condition.get("type", ""), condition.get("status", "")
        reason, message = condition.get("reason") or "", condition.get("message") or ""
        if kind == "ScalingLimited" and status == "True" and reason == "TooManyReplicas":
            limited = True
        bad = status == "True" if kind in _HEALTHY_FALSE else status == "False"
        if kind == "ScalingLimited" and reason == "TooFewReplicas":
            bad = False  # held at its minimum: the load is low, nothing is wrong
        if kind == "Active":  # KEDA: not active only means no load; not a fault
            bad = False
        # A FailedGet* reason is only ever reported while the metric cannot be read.
        unavailable = unavailable or reason in _METRICS_UNAVAILABLE
        if bad:
            detail = ": ".join(part for part in (reason, message[:240]) if part)
            problems.append(f"{kind}={status}" + (f" ({detail})" if detail else ""))
    return problems, unavailable, limited


def _metric_text(current: dict[str, Any], target: dict[str, Any] | None) -> str:
    """`cpu 97% (target 60%)` from an HPA metric's current and target blocks."""
    kind = str(current.get("type", "")).lower()
    block = current.get(kind) or current.get("resource") or {}
    name = (block.get("metric") or {}).get("name") or block.get("name") or kind
    values = block.get("current") or {}
    value = values.get("averageUtilization")
    shown = f"{value}%" if value is not None else str(next(iter(values.values()), "?"))
    text = f"{name} {shown}"
    if target:
        wanted = (target.get(str(target.get("type", "")).lower()) or {}).get("target") or {}
        goal = wanted.get("averageUtilization")
        goal_text = (
            f"{goal}%" if goal is not None else wanted.get("averageValue") or wanted.get("value")
        )
        if goal_text is not None:
            text += f" (target {goal_text})"
    return text


def hpa_facts(obj: dict[str, Any]) -> AutoscalerFacts:
    """The facts of an autoscaling/v2 (or v1) HorizontalPodAutoscaler object."""
    metadata, spec, status = (obj.get(k) or {} for k in ("metadata", "spec", "status"))
    target = spec.get("scaleTargetRef") or {}
    problems, unavailable, limited = _conditions(obj)
    targets = {
        ((m.get(str(m.get("type", "")).lower()) or {}).get("metric") or {}).get("name")
        or (m.get(str(m.get("type", "")).lower()) or {}).get("name"): m
        for m in spec.get("metrics") or []
    }
    metrics = []
    for current in status.get("currentMetrics") or []:
        if not current.get("type"):
            continue  # what the controller writes while it cannot read the metric
        block = current.get(str(current.get("type", "")).lower()) or {}
        name = (block.get("metric") or {}).get("name") or block.get("name")
        metrics.append(_metric_text(current, targets.get(name)))
    utilization = status.get("currentCPUUtilizationPercentage")  # autoscaling/v1
    if utilization is not None:
        metrics.append(f"cpu {utilization}% (target {spec.get('targetCPUUtilizationPercentage')}%)")
    maximum = spec.get("maxReplicas")
    current = status.get("currentReplicas")
    return AutoscalerFacts(
        kind="HorizontalPodAutoscaler",
        name=str(metadata.get("name") or ""),
        namespace=str(metadata.get("namespace") or ""),
        target_kind=str(target.get("kind") or ""),
        target_name=str(target.get("name") or ""),
        min_replicas=spec.get("minReplicas", 1),
        max_replicas=maximum,
        current_replicas=current,
        desired_replicas=status.get("desiredReplicas"),
        metrics=metrics,
        problems=problems,
        at_max=maximum is not None and current is not None and current >= maximum,
        limited=limited,
        metrics_unavailable=unavailable,
    )


def scaled_object_facts(obj: dict[str, Any], hpas: list[AutoscalerFacts]) -> AutoscalerFacts:
    """The facts of a KEDA ScaledObject, with the replicas of the HPA it drives (if listed)."""
    metadata, spec, status = (obj.get(k) or {} for k in ("metadata", "spec", "status"))
    target = spec.get("scaleTargetRef") or {}
    name = str(metadata.get("name") or "")
    hpa_name = str(status.get("hpaName") or f"keda-hpa-{name}")
    driven = next((h for h in hpas if h.name == hpa_name), None)
    problems, unavailable, limited = _conditions(obj)
    maximum = spec.get("maxReplicaCount", driven.max_replicas if driven else 100)
    current = driven.current_replicas if driven else None
    triggers = [str(t.get("type") or "?") for t in spec.get("triggers") or []]
    return AutoscalerFacts(
        kind="ScaledObject",
        name=name,
        namespace=str(metadata.get("namespace") or ""),
        target_kind=str(target.get("kind") or "Deployment"),
        target_name=str(target.get("name") or ""),
        min_replicas=spec.get("minReplicaCount", 0),
        max_replicas=maximum,
        current_replicas=current,
        desired_replicas=driven.desired_replicas if driven else None,
        metrics=(driven.metrics if driven else []) + [f"trigger {t}" for t in triggers],
        problems=problems + (driven.problems if driven else []),
        at_max=maximum is not None and current is not None and current >= maximum,
        limited=limited or bool(driven and driven.limited),
        metrics_unavailable=unavailable or bool(driven and driven.metrics_unavailable),
        hpa_name=hpa_name,
    )


def summary(facts: AutoscalerFacts) -> str:
    """One line: `HorizontalPodAutoscaler ml/web -> Deployment web: 10/10 replicas (min 2, max
    10, desired 14), AT MAX; cpu 97% (target 60%); ScalingLimited=True (...)`."""
    replicas = f"{facts.current_replicas if facts.current_replicas is not None else '?'}"
    bounds = f"min {facts.min_replicas}, max {facts.max_replicas}"
    if facts.desired_replicas is not None:
        bounds += f", desired {facts.desired_replicas}"
    parts = [
        f"{facts.kind} {facts.namespace}/{facts.name} -> {facts.target_kind} {facts.target_name}: "
        f"{replicas} replicas ({bounds})"
    ]
    if facts.at_max:
        parts.append("at its maximum")
    if facts.metrics_unavailable:
        parts.append("its metrics are unavailable")
    parts += facts.metrics + facts.problems
    return "; ".join(parts)
