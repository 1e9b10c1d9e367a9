"""The sweep's scaling and change part: the autoscalers of the subject's workloads (HPA, KEDA)
and the workloads' (Deployments, StatefulSets, DaemonSets) recent rollouts and ConfigMap changes.

Called by `sweep.py`; reads `kubernetes_autoscalers` (one call per namespace) and
`kubernetes_rollout_history` (one per workload) in parallel, and turns their typed facts
(`holmes.tools.facts.autoscaling`, `.rollouts`) into signals. An autoscaler at its maximum that
wants more, or one that cannot read its metrics, is a symptom; a rollout or a config change in
the window only supports one (it says what changed, not that it broke anything).
"""

from __future__ import annotations

import asyncio

from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.sweep_facts import Remedy, SweepPart, SweepSignal, window_text
from holmes.tools.facts.autoscaling import AutoscalerFacts, summary
from holmes.tools.facts.rollouts import RolloutHistory

_MAX_CHANGES = 4


async def sweep_changes(
    gatherer: Gatherer,
    namespace: str,
    workloads: list[tuple[str, str]],
    targets: set[str],
    window: float,
) -> SweepPart:
    """Signals of the autoscalers scaling `targets` and of the workloads' (kind, name) recent
    changes."""
    since = window_text(window)
    autoscalers, *histories = await asyncio.gather(
        gatherer.call("kubernetes_autoscalers", {"namespace": namespace}),
        *(
            gatherer.call(
                "kubernetes_rollout_history",
                {"namespace": namespace, "name": name, "kind": kind, "since": since},
            )
            for kind, name in workloads
        ),
    )
    part = SweepPart()
    if autoscalers.ok:
        part.evidence_ids.append(autoscalers.evidence_id)
        found = [
            AutoscalerFacts.model_validate(a)
            for a in (autoscalers.data or {}).get("autoscalers") or []
        ]
        mine = [a for a in found if a.target_name in targets]
        part.swept.append(
            f"the autoscalers (HPA, KEDA) of namespace {namespace} ({len(mine)} scale the subject)"
        )
        for facts in mine:
            signal = _autoscaler_signal(facts, autoscalers.evidence_id)
            if signal is not None:
                part.signals.append(signal)
    for result in histories:
        if not result.ok:
            continue
        part.evidence_ids.append(result.evidence_id)
        history = RolloutHistory.model_validate(result.data)
        part.swept.append(
            f"the rollout history of {history.kind} {namespace}/{history.name} and the "
            f"{len(history.configs)} ConfigMap(s) it reads, over the last {since}"
        )
        part.signals += _change_signals(history, result.evidence_id, since)
    return part


def _autoscaler_signal(facts: AutoscalerFacts, evidence_id: str) -> SweepSignal | None:
    name = f"{facts.kind} {facts.namespace}/{facts.name}"
    if facts.metrics_unavailable:
        problem = next((p for p in facts.problems if "Failed" in p or "False" in p), "")
        return SweepSignal(
            kind="autoscaler",
            weight=7,
            claim=(
                f"{name} cannot read the metrics it scales {facts.target_name} on, so it does "
                f"not scale ({summary(facts).split(': ', 1)[1]})"
                + (f"; condition {problem}" if problem and problem not in summary(facts) else "")
            ),
            evidence_ids=[evidence_id],
            remedies=[
                Remedy(
                    "Restore the metrics pipeline the autoscaler reads (metrics-server for "
                    "cpu/memory, the custom or external metrics adapter, or KEDA's metrics "
                    "server), then check the autoscaler's conditions",
                    "kubectl get apiservices | grep metrics; "
                    f"kubectl -n {facts.namespace} describe hpa {facts.hpa_name or facts.name}",
                )
            ],
        )
    if facts.at_max and (
        facts.limited or (facts.desired_replicas or 0) >= (facts.max_replicas or 0)
    ):
        return SweepSignal(
            kind="autoscaler",
            weight=6 if facts.limited else 5,
            claim=(
                f"{name} is at its maximum of {facts.max_replicas} replicas for "
                f"{facts.target_kind} {facts.target_name}"
                + (" and wants more" if facts.limited else "")
                + f" ({summary(facts).split(': ', 1)[1]}), so load above it is not absorbed"
            ),
            evidence_ids=[evidence_id],
            remedies=[_raise_max(facts, name)],
        )
    return None


def _raise_max(facts: AutoscalerFacts, name: str) -> Remedy:
    """Raise the autoscaler's maximum (maxReplicas, or a ScaledObject's maxReplicaCount)."""
    keda = facts.kind == "ScaledObject"
    field = "maxReplicaCount" if keda else "maxReplicas"
    patch = f'{{"spec": {{"{field}": {(facts.max_replicas or 1) * 2}}}}}'
    return Remedy(
        f"Raise {field} of {name} (capacity permitting) or make each replica handle more",
        f"kubectl -n {facts.namespace} patch {'scaledobject' if keda else 'hpa'} {facts.name} "
        f"--type merge -p '{patch}'",
    )


def _change_signals(history: RolloutHistory, evidence_id: str, since: str) -> list[SweepSignal]:
    found = []
    name = f"{history.kind} {history.namespace}/{history.name}"
    if history.in_window and history.current is not None and history.previous is not None:
        changes = [c.text() for c in history.changes[:_MAX_CHANGES]]
        what = "; ".join(changes) if changes else "no container field (labels or annotations)"
        found.append(
            SweepSignal(
                kind="rollout",
                weight=3,
                claim=(
                    f"{name} rolled out revision {history.current.revision} "
                    f"({_ago(history.seconds_ago)} ago, within the last {since}), changing: {what}"
                ),
                evidence_ids=[evidence_id],
                remedies=[
                    Remedy(
                        f"If the trouble began with revision {history.current.revision}, roll "
                        f"back to revision {history.previous.revision} and fix the change",
                        f"kubectl -n {history.namespace} rollout undo "
                        f"{history.kind.lower()}/{history.name}"
                        f" --to-revision={history.previous.revision}",
                    )
                ],
            )
        )
    for config in history.configs:
        if config.in_window:
            found.append(
                SweepSignal(
                    kind="config",
                    weight=3,
                    claim=(
                        f"ConfigMap {history.namespace}/{config.name}, read by {name}, changed "
                        f"{_ago(config.seconds_ago)} ago (resourceVersion "
                        f"{config.resource_version})"
                    ),
                    evidence_ids=[evidence_id],
                    remedies=[
                        Remedy(
                            f"Review the last change to ConfigMap {config.name} (pods read a "
                            "mounted ConfigMap's update within a minute, env only on restart)",
                            f"kubectl -n {history.namespace} get configmap {config.name} "
                            "-o yaml --show-managed-fields",
                        )
                    ],
                )
            )
    return found


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes = int(seconds // 60)
    return f"{minutes}m" if minutes < 120 else f"{minutes // 60}h{minutes % 60}m"
