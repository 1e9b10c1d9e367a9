"""The network runbooks' CEL functions: the subject's scope, its drops, the evidence they read
(holmes.agent.engine.rules.network scope, drops, evidence), and the summary's list views."""

from __future__ import annotations

from holmes.agent.engine.rules import builtin_functions
from holmes.agent.engine.rules.expressions import evaluate
from holmes.agent.engine.rules.network.drops import net_drops, net_namespaces
from holmes.agent.engine.rules.network.evidence import net_unhealthy
from holmes.agent.engine.rules.network.scope import in_scope, subject_names
from holmes.tools.hubble.proto.flow import flow_pb2
from holmes.tools.hubble.tally import as_lists, tally
from tests.agent.network_samples import ok, pair, summary

FUNCTIONS = builtin_functions()


def drop(reason, pairs, noise=False):
    return {
        "reason": reason,
        "noise": noise,
        "meaning": "m",
        "count": sum(p["count"] for p in pairs),
        "pairs": pairs,
    }


SHOP = {
    "scope": "named",
    "namespace": "shop",
    "workloads": [{"kind": "Deployment", "namespace": "shop", "name": "frontend"}],
    "services": [],
    "pods": [],
}


# --- scope ---------------------------------------------------------------------------------


def test_subject_names_and_scope_prefer_named_then_namespace() -> None:
    assert subject_names(SHOP) == ["shop/frontend"]
    named = pair("shop/frontend", "shop/backend", 8080)
    other = pair("shop/cron", "shop/db", 5432)
    elsewhere = pair("monitoring/prom", "kube-system/dns", 53)
    assert in_scope([named, other, elsewhere], SHOP) == [named]
    assert in_scope([other, elsewhere], SHOP) == [other]  # nothing named: the namespace
    assert in_scope([elsewhere], {"scope": "cluster", "namespace": None}) == [elsewhere]


def test_a_pod_name_belongs_to_its_workload() -> None:
    item = pair("shop/frontend-6c9f7d8b5-abcde", "shop/backend", 8080)
    assert in_scope([item], SHOP) == [item]


def test_net_drops_keeps_the_reason_about_the_subject_and_never_noise() -> None:
    wanted = pair("shop/frontend", "shop/backend", 8080, count=88)
    noise = pair("shop/frontend", "shop/x", 1, count=500)
    flows = [
        summary(
            drops=[
                drop("POLICY_DENIED", [wanted]),
                drop("UNSUPPORTED_L3_PROTOCOL", [noise], noise=True),
                drop("STALE_OR_UNROUTABLE_IP", [pair("monitoring/prom", "world/x", 9400)]),
            ]
        )
    ]
    found = net_drops(flows, SHOP, "^POLICY_DENIED$")
    assert [d["server"] for d in found] == ["shop/backend"]
    assert found[0]["reason"] == "POLICY_DENIED"
    assert net_drops(flows, SHOP, "UNSUPPORTED") == []
    assert net_drops([{"ok": False, "data": None}], SHOP, ".") == []
    assert net_namespaces(found) == ["shop"]


# --- listings ------------------------------------------------------------------------------


def test_unhealthy_pods_from_a_listing() -> None:
    listing = ok(
        {
            "kind": "Pod",
            "items": [
                {
                    "namespace": "cilium-spire",
                    "name": "spire-server-0",
                    "summary": "cilium-spire/spire-server-0  ready 0/1  CrashLoopBackOff  "
                    "restarts 14",
                },
                {
                    "namespace": "cilium-spire",
                    "name": "spire-agent-x",
                    "summary": "cilium-spire/spire-agent-x  ready 1/1  Running  restarts 0",
                },
            ],
        }
    )
    found = net_unhealthy([listing])
    assert [(p["name"], p["status"], p["restarts"]) for p in found] == [
        ("spire-server-0", "CrashLoopBackOff", 14)
    ]


def test_functions_are_registered_for_cel() -> None:
    flows = [summary(drops=[drop("POLICY_DENIED", [pair("shop/frontend", "shop/backend", 80)])])]
    found = evaluate(
        "net.drops(flows, subject, 'POLICY')", {"flows": flows, "subject": SHOP}, FUNCTIONS
    )
    assert found[0]["server"] == "shop/backend"


# --- hubble_flow_summary list views --------------------------------------------------------


def _flow(source, destination, port, **fields):
    flow = flow_pb2.Flow(**fields)
    for endpoint, (namespace, name, labels) in (
        (flow.source, source),
        (flow.destination, destination),
    ):
        endpoint.namespace = namespace
        endpoint.pod_name = name + "-abc"
        endpoint.labels.extend(labels)
        endpoint.workloads.add(name=name, kind="Deployment")
    flow.l4.TCP.destination_port = port
    return flow


def test_summary_lists_drops_with_labels_and_http_per_code() -> None:
    client = ("shop", "frontend", ["k8s:app=frontend"])
    server = ("shop", "backend", ["k8s:app=backend"])
    flows = [
        _flow(
            client,
            server,
            8080,
            verdict=flow_pb2.DROPPED,
            drop_reason_desc=133,
            traffic_direction=flow_pb2.INGRESS,
        )
        for _ in range(3)
    ]
    for code, latency in ((200, 2_000_000_000), (503, 3_000_000), (503, 5_000_000)):
        flow = _flow(client, server, 9000, verdict=flow_pb2.FORWARDED)
        flow.l7.type = flow_pb2.RESPONSE
        flow.l7.latency_ns = latency
        flow.l7.http.code = code
        flows.append(flow)
    lists = as_lists(tally(flows))
    drop_view = lists["drops"][0]
    assert drop_view["reason"] == "POLICY_DENIED" and drop_view["count"] == 3
    first = drop_view["pairs"][0]
    assert first["client"] == "shop/frontend" and first["server_labels"] == {"app": "backend"}
    assert first["direction"] == "INGRESS" and first["service"] == "TCP/8080"
    http = lists["http_servers"][0]
    assert http["error_codes"] == [503] and http["errors"] == 2 and http["kind"] == "Deployment"
    assert http["latency_by_code"]["503"]["p50_seconds"] == 0.003
    assert http["clients"] == ["shop/frontend"]
