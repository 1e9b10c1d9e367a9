"""The evidence-sweep incidents on autoscaling, rollouts and sidecars (see sweep_incidents.py)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from sweep_incidents import container, expect, iso, lines_over, template, workload, write_bundle
from sweep_objects import configmap, namespace, normal_event, plain_node, service


# --- 4. The HPA cannot read CPU metrics (metrics-server down): search-api stays at 2 replicas.
def hpa_metrics_unavailable() -> None:
    now = datetime(2026, 12, 2, 15, 10)
    ns, created = "search", datetime(2026, 2, 14, 10, 0)
    nodes = [("node-pool-b-3kq1", "10.12.0.21"), ("node-pool-b-8zt4", "10.12.0.22")]
    tpl = template(
        "search-api",
        [
            container(
                "api",
                "ghcr.io/acme/search-api:7.3.0",
                cpu="500m",
                memory="1Gi",
                limits={"memory": "1Gi"},
            )
        ],
        "search-api",
    )
    deploy, sets, pods = workload(
        ns,
        "search-api",
        [(15, tpl, datetime(2026, 11, 24, 12, 0))],
        replicas=2,
        created=created,
        nodes=nodes,
        suffixes=["c4n8w", "vz2pd"],
        ip_base="10.13.4",
    )
    failing = (
        "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get "
        "metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is "
        "currently unable to handle the request (get pods.metrics.k8s.io)"
    )
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": "search-api",
            "namespace": ns,
            "uid": "8f7c2a1e-4b9d-4e0a-a1c3-2d9e8f7a6b5c",
            "creationTimestamp": "2026-02-14T10:05:00Z",
        },
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "search-api"},
            "minReplicas": 2,
            "maxReplicas": 12,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 65},
                    },
                }
            ],
        },
        "status": {
            "currentReplicas": 2,
            "desiredReplicas": 2,
            "currentMetrics": [{"type": ""}],
            "conditions": [
                {
                    "type": "AbleToScale",
                    "status": "True",
                    "reason": "SucceededGetScale",
                    "message": "the HPA controller was able to get the target's current scale",
                    "lastTransitionTime": "2026-02-14T10:06:00Z",
                },
                {
                    "type": "ScalingActive",
                    "status": "False",
                    "reason": "FailedGetResourceMetric",
                    "message": failing,
                    "lastTransitionTime": "2026-12-02T13:52:41Z",
                },
            ],
        },
    }
    start = now - timedelta(minutes=55)

    def request(at, rng):
        ms = rng.randint(40, 160) if at < now - timedelta(minutes=40) else rng.randint(380, 950)
        return f'{iso(at)} level=info msg="search" route=/v2/search status=200 hits={rng.randint(0, 300)} duration_ms={ms} inflight={rng.randint(30, 70)}'

    def shed(at, rng):
        return f'{iso(at)} level=warn msg="queue above soft limit, shedding low-priority requests" queue={rng.randint(180, 260)} soft_limit=150'

    logs = {
        f"{ns}/{p['metadata']['name']}/api.log": lines_over(
            start, now, [(8, request), (1, shed)], p["metadata"]["name"]
        )
        for p in pods
    }
    metrics_server = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "metrics-server",
            "namespace": "kube-system",
            "uid": "0c2d4e6f-8a1b-4c3d-9e5f-7a9b1c3d5e7f",
            "creationTimestamp": "2026-01-10T08:00:00Z",
            "annotations": {"deployment.kubernetes.io/revision": "3"},
            "labels": {"k8s-app": "metrics-server"},
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"k8s-app": "metrics-server"}},
            "template": {
                "metadata": {"labels": {"k8s-app": "metrics-server"}},
                "spec": {
                    "containers": [
                        {
                            "name": "metrics-server",
                            "image": "registry.k8s.io/metrics-server/metrics-server:v0.8.0",
                        }
                    ]
                },
            },
        },
        "status": {
            "replicas": 1,
            "updatedReplicas": 1,
            "unavailableReplicas": 1,
            "conditions": [
                {
                    "type": "Available",
                    "status": "False",
                    "reason": "MinimumReplicasUnavailable",
                    "message": "Deployment does not have minimum availability.",
                    "lastTransitionTime": "2026-12-02T13:51:30Z",
                }
            ],
        },
    }
    events = [
        {
            **normal_event(
                hpa,
                "FailedGetResourceMetric",
                "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)",
                now - timedelta(minutes=1),
                "horizontal-pod-autoscaler",
            ),
            "count": 312,
            "firstTimestamp": "2026-12-02T13:52:41Z",
        },
    ]
    write_bundle(
        {
            "id": "sweep-search-api-hpa-metrics-unavailable",
            "title": "search-api does not scale under load: its HPA cannot read CPU metrics (metrics API unavailable)",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why doesn't search-api in namespace search scale up? Latency has been climbing for half an hour",
            "sources": ["kubernetes"],
            "expected": expect(
                "HPA search/search-api has ScalingActive=False (FailedGetResourceMetric): the resource metrics API "
                "(metrics-server) does not answer, so it cannot compute CPU utilisation and stays at 2 of 12 replicas.",
                [
                    ["metrics"],
                    ["unable|cannot|FailedGetResourceMetric|unavailable"],
                    ["search-api"],
                ],
                [["metrics-server|apiservice|metrics API|metrics pipeline"]],
            ),
            "tags": ["sweep", "autoscaling", "hpa"],
        },
        {
            "namespaces": [namespace(ns, created), namespace("kube-system", created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets, metrics_server],
            "pods": pods,
            "autoscaling": [hpa],
            "services": [
                service(ns, "search-api", "search-api", 80, 8080, "10.100.12.40", created)
            ],
            "events": events,
        },
        logs,
    )


# --- 5. A rollout 25 minutes ago cut the PSP timeout from 5000 ms to 50 ms: authorisations time out.
def bad_rollout_env() -> None:
    now = datetime(2026, 12, 1, 21, 50)
    ns, created = "payments", datetime(2026, 1, 20, 9, 0)
    nodes = [("pay-node-1", "10.50.0.11"), ("pay-node-2", "10.50.0.12")]
    env_old = {
        "PSP_ENDPOINT": "https://api.psp.example.net/v3",
        "PSP_TIMEOUT_MS": "5000",
        "LOG_LEVEL": "info",
    }
    env_new = {**env_old, "PSP_TIMEOUT_MS": "50", "LOG_LEVEL": "info"}
    volumes = [{"name": "config", "configMap": {"name": "payments-gateway-config"}}]
    old = template(
        "payments-gateway",
        [
            container(
                "gateway",
                "registry.pay.io/payments-gateway:4.8.2",
                cpu="300m",
                memory="512Mi",
                env=env_old,
            )
        ],
        "payments-gateway",
        volumes,
    )
    older = copy.deepcopy(old)
    older["spec"]["containers"][0]["image"] = "registry.pay.io/payments-gateway:4.8.1"
    new = template(
        "payments-gateway",
        [
            container(
                "gateway",
                "registry.pay.io/payments-gateway:4.9.0",
                cpu="300m",
                memory="512Mi",
                env=env_new,
            )
        ],
        "payments-gateway",
        volumes,
    )
    rolled = now - timedelta(minutes=25)
    deploy, sets, pods = workload(
        ns,
        "payments-gateway",
        [
            (12, older, datetime(2026, 11, 10, 10, 0)),
            (13, old, datetime(2026, 11, 21, 14, 30)),
            (14, new, rolled),
        ],
        replicas=3,
        created=created,
        nodes=nodes,
        suffixes=["f5k9s", "n2h7q", "x8d3r"],
        ip_base="10.51.2",
    )
    config = configmap(
        ns,
        "payments-gateway-config",
        {"routes.yaml": "card: psp\nwallet: psp\n"},
        created,
        datetime(2026, 9, 2, 8, 0),
        8812231,
    )
    start = now - timedelta(minutes=60)

    def before(at, rng):
        return f"{iso(at)} INFO  gateway: authorise order={rng.randint(10**7, 10**8)} psp=ok latency_ms={rng.randint(180, 900)}"

    def timeout(at, rng):
        return f"{iso(at)} ERROR gateway: authorise order={rng.randint(10**7, 10**8)} failed: psp call timed out after 50 ms (PSP_TIMEOUT_MS=50) POST https://api.psp.example.net/v3/authorizations"

    def ok_fast(at, rng):
        return f"{iso(at)} INFO  gateway: authorise order={rng.randint(10**7, 10**8)} psp=ok latency_ms={rng.randint(31, 49)}"

    logs = {}
    for p in pods:
        logs[f"{ns}/{p['metadata']['name']}/gateway.log"] = lines_over(
            rolled + timedelta(seconds=30), now, [(6, timeout), (1, ok_fast)], p["metadata"]["name"]
        )
    # An old-revision pod's log is gone with it; a healthy neighbour logs normally.
    ledger_tpl = template(
        "ledger", [container("ledger", "registry.pay.io/ledger:2.2.0", memory="256Mi")], "default"
    )
    ledger, ledger_sets, ledger_pods = workload(
        ns,
        "ledger",
        [(5, ledger_tpl, datetime(2026, 11, 2, 9, 0))],
        replicas=1,
        created=created,
        nodes=nodes,
        suffixes=["p4s2k"],
        ip_base="10.51.3",
    )
    logs[f"{ns}/{ledger_pods[0]['metadata']['name']}/ledger.log"] = lines_over(
        start, now, [(1, before)], "ledger"
    ).replace("gateway: authorise", "ledger: post entry")
    events = [
        normal_event(
            deploy,
            "ScalingReplicaSet",
            f"Scaled up replica set {sets[-1]['metadata']['name']} from 0 to 1",
            rolled,
            "deployment-controller",
        ),
        normal_event(
            deploy,
            "ScalingReplicaSet",
            f"Scaled down replica set {sets[-2]['metadata']['name']} from 3 to 0",
            rolled + timedelta(minutes=2),
            "deployment-controller",
        ),
    ]
    write_bundle(
        {
            "id": "sweep-payments-gateway-rollout-timeout-env",
            "title": "Card authorisations fail after a rollout that set PSP_TIMEOUT_MS=50 (pods Ready, no restarts)",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why did card payments start failing in namespace payments in the last hour?",
            "sources": ["kubernetes"],
            "expected": expect(
                "Revision 14 of payments-gateway, rolled out 25 minutes ago, changed PSP_TIMEOUT_MS from 5000 to 50 (and the "
                "image to 4.9.0); since then most authorisations fail with 'psp call timed out after 50 ms'.",
                [["PSP_TIMEOUT_MS"], ["timed out|timeout"], ["revision 14|rolled out|rollout"]],
                [["rollout undo|roll back|rollback"]],
            ),
            "tags": ["sweep", "rollout", "logs"],
        },
        {
            "namespaces": [namespace(ns, created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets, ledger, *ledger_sets],
            "pods": pods + ledger_pods,
            "config": [config],
            "services": [
                service(
                    ns, "payments-gateway", "payments-gateway", 80, 8080, "10.100.50.5", created
                )
            ],
            "events": events,
        },
        logs,
    )


# --- 6. A two-container pod: the app is fine, its envoy sidecar cannot reach its control plane.
def sidecar_refused() -> None:
    now = datetime(2026, 12, 6, 7, 45)
    ns, created = "serving", datetime(2026, 5, 5, 12, 0)
    nodes = [("gpu-a10-n1", "10.70.0.31"), ("gpu-a10-n2", "10.70.0.32")]
    router = container(
        "router", "ghcr.io/acme/inference-router:1.12.4", cpu="500m", memory="1Gi", port=8000
    )
    envoy = {
        "name": "envoy",
        "image": "envoyproxy/envoy:v1.34.1",
        "args": [
            "-c",
            "/etc/envoy/envoy.yaml",
            "--service-cluster",
            "inference-router",
            "--log-level",
            "warning",
        ],
        "ports": [{"containerPort": 15001, "name": "proxy"}],
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"memory": "256Mi"},
        },
        "volumeMounts": [{"name": "envoy-config", "mountPath": "/etc/envoy"}],
    }
    tpl = template(
        "inference-router",
        [router, envoy],
        "inference-router",
        [{"name": "envoy-config", "configMap": {"name": "inference-router-envoy"}}],
    )
    deploy, sets, pods = workload(
        ns,
        "inference-router",
        [(6, tpl, datetime(2026, 11, 29, 10, 0))],
        replicas=2,
        created=created,
        nodes=nodes,
        suffixes=["k2v7d", "r9m4x"],
        ip_base="10.71.1",
    )
    cm = configmap(
        ns,
        "inference-router-envoy",
        {
            "envoy.yaml": "dynamic_resources: {ads_config: {api_type: GRPC, grpc_services: [{envoy_grpc: {cluster_name: xds}}]}}\n"
        },
        created,
        datetime(2026, 10, 1, 9, 0),
        6120044,
    )
    start = now - timedelta(minutes=50)

    def app(at, rng):
        return f"{iso(at)} INFO router: forwarded model={rng.choice(['llama-3.1-8b', 'qwen2.5-7b'])} via envoy status={rng.choice([200, 200, 200, 503])} upstream_ms={rng.randint(2, 9)}"

    def refused(at, rng):
        return (
            f"[{at.strftime('%Y-%m-%d %H:%M:%S')}.{at.microsecond // 1000:03d}][1][warning][config] [source/extensions/config_subscription/grpc/grpc_stream.h:155] "
            "DeltaAggregatedResources gRPC config stream to xds closed since 31s ago: 14, upstream connect error or disconnect/reset before headers. "
            "reset reason: remote connection failure, transport failure reason: delayed connect error: Connection refused"
        )

    def no_cluster(at, rng):
        return (
            f"[{at.strftime('%Y-%m-%d %H:%M:%S')}.{at.microsecond // 1000:03d}][27][warning][upstream] [source/common/upstream/cluster_manager_impl.cc:1588] "
            f"no healthy host for HTTP connection pool to cluster model-{rng.choice(['llama', 'qwen'])} (endpoints not received from xds)"
        )

    logs = {}
    for p in pods:
        name = p["metadata"]["name"]
        logs[f"{ns}/{name}/router.log"] = lines_over(start, now, [(1, app)], name + "r")
        logs[f"{ns}/{name}/envoy.log"] = lines_over(
            start, now, [(3, refused), (2, no_cluster)], name + "e"
        )
    write_bundle(
        {
            "id": "sweep-inference-router-envoy-sidecar-refused",
            "title": "Some inference requests fail with 503: the envoy sidecar's xDS stream is refused (router container fine)",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why do some requests through inference-router in namespace serving fail with 503?",
            "sources": ["kubernetes"],
            "expected": expect(
                "The inference-router pods are Ready, but their envoy sidecar cannot reach its xDS control plane "
                "(gRPC config stream closed: connection refused), so it has no endpoints for the model clusters and answers 503.",
                [["envoy"], ["refused|xds|no healthy host"]],
                [["dependency|control plane|xds|endpoints|service"]],
            ),
            "tags": ["sweep", "logs", "multi-container", "sidecar"],
        },
        {
            "namespaces": [namespace(ns, created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets],
            "pods": pods,
            "config": [cm],
            "services": [
                service(
                    ns, "inference-router", "inference-router", 80, 8000, "10.100.70.3", created
                )
            ],
            "events": [],
        },
        logs,
    )


def main() -> None:
    hpa_metrics_unavailable()
    bad_rollout_env()
    sidecar_refused()
