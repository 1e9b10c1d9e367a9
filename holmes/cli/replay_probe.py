"""Ask each replayed source one question through its real client, for `holmes replay`.

This is a smoke view for people (what does the replay serve?), not the toolsets: those live in
holmes.tools and shape evidence for the runbooks and the agent.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import httpx

from holmes.evals.replay import ReplayEndpoints


def probe_sources(endpoints: ReplayEndpoints) -> list[str]:
    """One line per recorded source saying what it answered (or the error it gave)."""
    probes: list[tuple[str, str | None, Callable[[ReplayEndpoints], str]]] = [
        ("kubernetes", endpoints.kubernetes_url, _kubernetes),
        ("prometheus", endpoints.prometheus_url, _prometheus),
        ("hubble", endpoints.hubble_address, _hubble),
    ]
    lines = []
    for name, where, probe in probes:
        if where is None:
            continue
        try:
            lines.append(f"{name}: {probe(endpoints)}")
        except Exception as error:  # a probe reports any failure as text; it never aborts
            lines.append(f"{name}: error: {error}")
    return lines


def _kubernetes(endpoints: ReplayEndpoints) -> str:
    from kubernetes import client, config

    api = client.CoreV1Api(config.new_client_from_config(str(endpoints.kubeconfig)))
    pods = api.list_pod_for_all_namespaces().items
    phases = Counter(pod.status.phase for pod in pods)
    waiting = sorted(
        f"{pod.metadata.namespace}/{pod.metadata.name} {status.state.waiting.reason}"
        for pod in pods
        for status in pod.status.container_statuses or []
        if status.state and status.state.waiting
    )
    summary = ", ".join(f"{count} {phase}" for phase, count in sorted(phases.items()))
    return f"{len(pods)} pods ({summary})" + (f"; waiting: {'; '.join(waiting)}" if waiting else "")


def _prometheus(endpoints: ReplayEndpoints) -> str:
    response = httpx.get(
        f"{endpoints.prometheus_url}/api/v1/query",
        params={
            "query": "count by (__name__) ({__name__=~'.+'})",
            "time": endpoints.time.timestamp(),
        },
        timeout=5,
    )
    response.raise_for_status()
    result = response.json()["data"]["result"]
    names = sorted(item["metric"]["__name__"] for item in result)
    series = sum(int(item["value"][1]) for item in result)
    return f"{series} series live at the incident's time, {len(names)} metrics: {', '.join(names)}"


def _hubble(endpoints: ReplayEndpoints) -> str:
    return asyncio.run(_hubble_flows(endpoints.hubble_address or ""))


async def _hubble_flows(address: str) -> str:
    import grpc

    from holmes.tools.hubble.proto.observer import observer_pb2, observer_pb2_grpc

    async with grpc.aio.insecure_channel(address) as channel:
        stub = observer_pb2_grpc.ObserverStub(channel)
        status = await stub.ServerStatus(observer_pb2.ServerStatusRequest(), timeout=5)
        verdicts: Counter[str] = Counter()
        drops: Counter[str] = Counter()
        request = observer_pb2.GetFlowsRequest(number=status.num_flows)
        async for response in stub.GetFlows(request, timeout=5):
            flow = response.flow
            verdicts[observer_pb2.Verdict.Name(flow.verdict)] += 1
            if flow.drop_reason_desc:
                drops[observer_pb2.DropReason.Name(flow.drop_reason_desc)] += 1
    by_verdict = ", ".join(f"{count} {name}" for name, count in verdicts.most_common())
    by_drop = ", ".join(f"{count} {name}" for name, count in drops.most_common())
    return f"{status.num_flows} flows ({by_verdict})" + (f"; drops: {by_drop}" if by_drop else "")
