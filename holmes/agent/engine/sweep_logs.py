"""The sweep's log part: every container of the subject's pods, current and previous logs, their
decisive lines ranked (`holmes.tools.shaping.log_signals`, computed by the log tool).

Called by `sweep.py` with the pods and their container names; one `kubernetes_logs` call per
container, all in parallel through the gatherer. A log class becomes a signal when it repeats
(or, for an RBAC denial, once): one stray timeout in a healthy log is not a fault.
"""

from __future__ import annotations

import asyncio

from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.sweep_facts import Remedy, SweepPart, SweepSignal, window_text
from holmes.tools import ToolResult
from holmes.tools.shaping.log_signals import LogSignal

# How many times a class of line must appear before it is a signal, and the weight it gets.
_MIN_COUNT = {"forbidden": 1, "exception": 2, "refused": 2, "timeout": 2, "slow": 2, "error": 10}
_WEIGHT = {"forbidden": 9, "exception": 8, "refused": 7, "timeout": 6, "slow": 6, "error": 4}
_WHAT = {
    "forbidden": "RBAC denials",
    "exception": "an exception",
    "refused": "refused connections",
    "timeout": "timeouts",
    "slow": "slow operations",
    "error": "repeated errors",
}
_PER_CONTAINER = 2  # signals kept per container


async def sweep_logs(
    gatherer: Gatherer, containers: list[tuple[str, str, str]], window: float
) -> SweepPart:
    """Signals from the logs of (namespace, pod, container) within the last `window` seconds."""
    since = window_text(window)
    results = await asyncio.gather(
        *(
            gatherer.call(
                "kubernetes_logs",
                {"namespace": ns, "name": pod, "container": name, "since": since},
            )
            for ns, pod, name in containers
        )
    )
    part = SweepPart(evidence_ids=[r.evidence_id for r in results if r.ok])
    if containers:
        part.swept.append(
            f"the logs (current and previous) of {len(containers)} container(s) over the last "
            f"{since}: " + ", ".join(f"{pod}/{name}" for _, pod, name in containers[:6])
        )
    found = [
        ((name, kind), pod, signal)
        for (namespace, pod, name), result in zip(containers, results, strict=True)
        for kind, signal in _signals(namespace, pod, name, result, since)
    ]
    part.signals += _merged(found)
    return part


def _merged(found: list[tuple[tuple[str, str], str, SweepSignal]]) -> list[SweepSignal]:
    """One signal per (container name, kind of line) across the pods of a workload: the first
    pod's claim, naming the other pods that show it, citing every pod's log."""
    merged: dict[tuple[str, str], tuple[SweepSignal, list[str]]] = {}
    for key, pod, signal in found:
        if key not in merged:
            merged[key] = (signal, [pod])
            continue
        first, pods = merged[key]
        if pod in pods:
            continue  # a second pattern of the same kind in the same log: the first says it
        pods.append(pod)
        first.evidence_ids += [i for i in signal.evidence_ids if i not in first.evidence_ids]
    out = []
    for signal, pods in merged.values():
        if len(pods) > 1:
            others = ", ".join(pods[1:])
            signal.claim += f" (the same in {len(pods) - 1} other pod(s): {others})"
        out.append(signal)
    return out


def instance_signals(result: ToolResult) -> list[tuple[str, LogSignal]]:
    """(instance, signal) of a `kubernetes_logs` result's data, previous instance first."""
    found = []
    for instance in ("previous", "current"):
        section = (result.data or {}).get(instance) or {}
        found += [(instance, LogSignal.model_validate(s)) for s in section.get("signals") or []]
    return found


def _signals(
    namespace: str, pod: str, container: str, result: ToolResult, since: str
) -> list[tuple[str, SweepSignal]]:
    """(kind of line, signal) of one container's log result, the most decisive first."""
    if not result.ok:
        return []
    kept = []
    for instance, signal in instance_signals(result):
        if signal.kind not in _MIN_COUNT or signal.count < _MIN_COUNT[signal.kind]:
            continue
        what = _WHAT[signal.kind]
        if signal.kind == "slow" and signal.duration_ms:
            what += f" (up to {_duration(signal.duration_ms)})"
        where = "previous (crashed) log" if instance == "previous" else "log"
        claim = (
            f"Container {container} of pod {namespace}/{pod} shows {what} in its {where} "
            f'({signal.count}x in the last {since}): "{signal.line}"'
        )
        kept.append(
            (
                signal.kind,
                SweepSignal(
                    kind="logs",
                    weight=_WEIGHT[signal.kind],
                    claim=claim,
                    evidence_ids=[result.evidence_id],
                    remedies=_remedies(signal, namespace, pod, container),
                ),
            )
        )
    kept.sort(key=lambda pair: -pair[1].weight)
    return kept[:_PER_CONTAINER]


def _duration(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 10_000 else f"{ms / 1000:.1f} s"


def _remedies(signal: LogSignal, namespace: str, pod: str, container: str) -> list[Remedy]:
    logs = f"kubectl -n {namespace} logs {pod} -c {container} --since=1h | grep -iE "
    if signal.kind == "forbidden":
        return [
            Remedy(
                "Grant the pod's ServiceAccount the permission the denial names (a Role or "
                "ClusterRole with that verb and resource, bound to it), then confirm with "
                "kubectl auth can-i",
                f"kubectl -n {namespace} get pod {pod} -o jsonpath='{{.spec.serviceAccountName}}'"
                f"; kubectl auth can-i --list -n {namespace} "
                "--as=system:serviceaccount:<namespace>:<serviceaccount>",
            )
        ]
    if signal.kind in ("refused", "timeout"):
        return [
            Remedy(
                "Check the dependency the failing calls go to (its pods, Service endpoints and "
                "NetworkPolicies), since this container's calls to it fail",
                logs + "'refused|timed? ?out|deadline'",
            )
        ]
    if signal.kind == "slow":
        return [
            Remedy(
                "Find why the slow operation takes seconds (the query or call the log names: "
                "its plan, indexes, locks or the backend's load) and fix it or add a timeout",
                logs + "'slow|took'",
            )
        ]
    return [
        Remedy(
            "Fix the error the log shows (read the full record and its stack trace)",
            logs + "'error|exception|traceback'",
        )
    ]
