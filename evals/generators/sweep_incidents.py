"""Writes the evidence-sweep incidents: Running and Ready pods whose logs, metrics, autoscaler or
last rollout hold the fault that no runbook covers. Run from evals/generators:

    ../../.venv/bin/python sweep_incidents.py

The bundles are committed; nothing here runs in CI. Each has noise: healthy neighbours, old
rollouts outside the window, warnings that are not the fault.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from k8s import write_series
from sweep_objects import (
    deployment,
    namespace,
    normal_event,
    plain_node,
    pod_of,
    replicaset,
    service,
)

OUT = Path(__file__).resolve().parents[1] / "incidents"


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def write_bundle(
    incident: dict[str, Any],
    files: dict[str, list[dict[str, Any]]],
    logs: dict[str, str],
    series: list[tuple[str, dict[str, str], str]] | None = None,
) -> None:
    folder = OUT / incident["id"]
    for name, items in files.items():
        path = folder / "kubernetes" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}, sort_keys=False)
        )
    for relative, text in logs.items():
        path = folder / "logs" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if series:
        (folder / "prometheus").mkdir(exist_ok=True)
        write_series(folder / "prometheus" / "series.yaml", series)
    (folder / "incident.yaml").write_text(yaml.safe_dump(incident, sort_keys=False, width=100))


def lines_over(start: datetime, end: datetime, makers: list[tuple[float, Any]], seed: str) -> str:
    """A log between start and end: at each tick one of `makers` (weight, fn(at, rng) -> str)."""
    rng = random.Random(seed)
    at, out = start, []
    total = sum(w for w, _ in makers)
    while at < end:
        pick = rng.uniform(0, total)
        for weight, make in makers:
            pick -= weight
            if pick <= 0:
                out.append(make(at, rng))
                break
        at += timedelta(seconds=rng.uniform(8, 40))
    return "\n".join(out) + "\n"


def template(app: str, containers: list[dict[str, Any]], sa: str, volumes=None) -> dict[str, Any]:
    spec: dict[str, Any] = {"serviceAccountName": sa, "containers": containers}
    if volumes:
        spec["volumes"] = volumes
    return {"metadata": {"labels": {"app": app}}, "spec": spec}


def container(
    name: str,
    image: str,
    *,
    cpu="500m",
    memory="512Mi",
    limits=None,
    env=None,
    args=None,
    port=8080,
):
    c: dict[str, Any] = {
        "name": name,
        "image": image,
        "ports": [{"containerPort": port, "name": "http", "protocol": "TCP"}],
        "resources": {
            "requests": {"cpu": cpu, "memory": memory},
            "limits": limits or {"memory": memory},
        },
        "readinessProbe": {
            "httpGet": {"path": "/healthz", "port": port},
            "periodSeconds": 10,
            "timeoutSeconds": 2,
            "failureThreshold": 3,
        },
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    if env:
        c["env"] = [{"name": k, "value": v} for k, v in env.items()]
    if args:
        c["args"] = args
    return c


def workload(
    ns: str,
    name: str,
    history: list[tuple[int, dict[str, Any], datetime]],
    *,
    replicas: int,
    created: datetime,
    nodes: list[tuple[str, str]],
    suffixes: list[str],
    ip_base: str,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """A Deployment, its ReplicaSets (the last of `history` current) and the current pods."""
    revision, current, rolled = history[-1]
    deploy = deployment(
        ns,
        name,
        current,
        replicas=replicas,
        revision=revision,
        created=created,
        updated=rolled + timedelta(minutes=1),
    )
    sets = [
        replicaset(
            deploy, tpl, revision=rev, created=at, replicas=replicas if rev == revision else 0
        )
        for rev, tpl, at in history
    ]
    pods = [
        pod_of(
            sets[-1],
            suffix,
            node=nodes[i % len(nodes)][0],
            ip=f"{ip_base}.{11 + i * 7}",
            host_ip=nodes[i % len(nodes)][1],
            created=rolled + timedelta(seconds=5 + i * 30),
        )
        for i, suffix in enumerate(suffixes[:replicas])
    ]
    return deploy, sets, pods


def expect(root: str, must: list[Any], remedy: list[Any]) -> dict[str, Any]:
    return {"root_cause": root, "must_mention": must, "remediation_must_mention": remedy}


# --- 1. A Ready ranker whose logs hold a repeated exception (a column its query reads is gone).
def ranker_exception() -> None:
    now = datetime(2026, 12, 3, 11, 40)
    ns, created = "recsys", datetime(2026, 6, 2, 9, 0)
    nodes = [
        ("ip-10-30-4-17.ec2.internal", "10.30.4.17"),
        ("ip-10-30-5-92.ec2.internal", "10.30.5.92"),
    ]
    tpl = template(
        "ranker",
        [
            container(
                "ranker",
                "registry.corp.io/recsys/ranker:2.14.0",
                cpu="1",
                memory="2Gi",
                env={
                    "FEATURE_DB_DSN": "postgresql://ranker@feature-db.recsys:5432/features",
                    "MODEL_VERSION": "lgbm-2026-11-28",
                },
            )
        ],
        "ranker",
    )
    deploy, sets, pods = workload(
        ns,
        "ranker",
        [(8, tpl, datetime(2026, 11, 28, 16, 5))],
        replicas=2,
        created=created,
        nodes=nodes,
        suffixes=["7xk2p", "q9wzt"],
        ip_base="10.31.2",
    )
    other_tpl = template(
        "candidate-gen",
        [container("candidate-gen", "registry.corp.io/recsys/candidate-gen:1.9.3", memory="1Gi")],
        "default",
    )
    other, other_sets, other_pods = workload(
        ns,
        "candidate-gen",
        [(3, other_tpl, datetime(2026, 11, 20, 10, 0))],
        replicas=1,
        created=created,
        nodes=nodes,
        suffixes=["mm4rd"],
        ip_base="10.31.3",
    )
    start = now - timedelta(minutes=55)

    def ok(at, rng):
        return f"{iso(at)} INFO  ranker.api: POST /v1/rank user={rng.randint(10**6, 10**7)} candidates={rng.randint(180, 400)} ranked=50 latency_ms={rng.randint(11, 40)}"

    def failing(at, rng):
        user = rng.randint(10**6, 10**7)
        return "\n".join(
            [
                f"{iso(at)} ERROR ranker.features: feature lookup failed for user={user}, returning empty ranking",
                "Traceback (most recent call last):",
                '  File "/app/ranker/features.py", line 88, in fetch_user_features',
                "    rows = await conn.fetch(USER_FEATURES_SQL, user_id)",
                '  File "/usr/local/lib/python3.12/site-packages/asyncpg/connection.py", line 690, in fetch',
                "    return await self._execute(query, args, 0, timeout)",
                'asyncpg.exceptions.UndefinedColumnError: column "embedding_v2" does not exist',
                f"{iso(at)} INFO  ranker.api: POST /v1/rank user={user} candidates=0 ranked=0 latency_ms=4",
            ]
        )

    def warn(at, rng):
        return f"{iso(at)} WARNING ranker.cache: feature cache hit ratio {rng.uniform(0.61, 0.7):.2f} below 0.75"

    logs = {
        f"{ns}/{p['metadata']['name']}/ranker.log": lines_over(
            start, now, [(5, ok), (3, failing), (0.4, warn)], p["metadata"]["name"]
        )
        for p in pods
    }
    logs[f"{ns}/{other_pods[0]['metadata']['name']}/candidate-gen.log"] = lines_over(
        start,
        now,
        [
            (
                1,
                lambda at, rng: (
                    f"{iso(at)} INFO generated {rng.randint(200, 500)} candidates in {rng.randint(20, 90)} ms"
                ),
            )
        ],
        "cg",
    )
    write_bundle(
        {
            "id": "sweep-ranker-undefined-column-exception",
            "title": "Ready ranker pods return empty rankings: every feature lookup raises UndefinedColumnError",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why does the ranker in namespace recsys return empty recommendations?",
            "sources": ["kubernetes"],
            "expected": expect(
                "The ranker pods are Running and Ready, but their logs show every feature lookup failing with "
                'asyncpg UndefinedColumnError: column "embedding_v2" does not exist, so they return empty rankings.',
                [["UndefinedColumn", "embedding_v2"], ["ranker"]],
                [["error|exception|traceback|column|schema|migration"]],
            ),
            "tags": ["sweep", "logs", "exception"],
        },
        {
            "namespaces": [namespace(ns, created), namespace("kube-system", created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets, other, *other_sets],
            "pods": pods + other_pods,
            "services": [
                service(ns, "ranker", "ranker", 80, 8080, "10.100.41.7", created),
                service(ns, "feature-db", "feature-db", 5432, 5432, "10.100.41.9", created),
            ],
            "events": [
                normal_event(
                    pods[0],
                    "Pulled",
                    'Container image "registry.corp.io/recsys/ranker:2.14.0" already present on machine',
                    now - timedelta(minutes=20),
                    "kubelet",
                )
            ],
        },
        logs,
    )


# --- 2. RBAC: a controller's informer cannot list what it watches (forbidden), pods Ready.
def rbac_forbidden() -> None:
    now = datetime(2026, 12, 4, 8, 15)
    ns, created = "ci", datetime(2026, 3, 11, 12, 0)
    nodes = [("worker-a1", "10.40.1.11"), ("worker-a2", "10.40.1.12")]
    tpl = template(
        "runner-scaler",
        [
            container(
                "controller",
                "ghcr.io/acme/runner-scaler:0.18.2",
                cpu="100m",
                memory="128Mi",
                args=["--namespace=ci", "--leader-elect", "--metrics-bind-address=:8080"],
            )
        ],
        "runner-scaler",
    )
    deploy, sets, pods = workload(
        ns,
        "runner-scaler",
        [(4, tpl, datetime(2026, 11, 30, 9, 0))],
        replicas=1,
        created=created,
        nodes=nodes,
        suffixes=["h7p4v"],
        ip_base="10.41.0",
    )
    start = now - timedelta(minutes=50)
    sa = "system:serviceaccount:ci:runner-scaler"

    def forbidden(at, rng):
        kind = rng.choice(["RunnerSet", "RunnerSet", "HorizontalRunnerAutoscaler"])
        res = {
            "RunnerSet": "runnersets",
            "HorizontalRunnerAutoscaler": "horizontalrunnerautoscalers",
        }[kind]
        return (
            f'E{at.strftime("%m%d %H:%M:%S")}.{at.microsecond:06d}       1 reflector.go:158] "Unhandled Error" err="pkg/mod/k8s.io/client-go@v0.33.1/tools/cache/reflector.go:285: '
            f'Failed to watch *v1alpha1.{kind}: failed to list *v1alpha1.{kind}: {res}.actions.acme.io is forbidden: User \\"{sa}\\" cannot list resource \\"{res}\\" in API group \\"actions.acme.io\\" in the namespace \\"ci\\"" logger="UnhandledError"'
        )

    def info(at, rng):
        return f'I{at.strftime("%m%d %H:%M:%S")}.{at.microsecond:06d}       1 controller.go:212] "Reconcile done" queue_depth={rng.randint(0, 4)} pending_jobs={rng.randint(3, 40)}'

    def lease(at, rng):
        return f"I{at.strftime('%m%d %H:%M:%S')}.{at.microsecond:06d}       1 leaderelection.go:271] successfully renewed lease ci/runner-scaler-leader"

    logs = {
        f"{ns}/{pods[0]['metadata']['name']}/controller.log": lines_over(
            start, now, [(2, forbidden), (2, info), (1, lease)], "rbac"
        )
    }
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {
            "name": "runner-scaler",
            "namespace": ns,
            "uid": "5b1e3a0c-77a1-4d52-9c1e-0e1b2f3a4c5d",
            "creationTimestamp": "2026-03-11T12:00:00Z",
        },
        "rules": [
            {
                "apiGroups": [""],
                "resources": ["pods", "configmaps"],
                "verbs": ["get", "list", "watch"],
            },
            {
                "apiGroups": ["coordination.k8s.io"],
                "resources": ["leases"],
                "verbs": ["get", "create", "update"],
            },
        ],
    }
    write_bundle(
        {
            "id": "sweep-runner-scaler-rbac-forbidden",
            "title": "CI runners never scale: the scaler's ServiceAccount may not list its own custom resources",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why are CI jobs queueing forever? runner-scaler in namespace ci looks fine",
            "sources": ["kubernetes"],
            "expected": expect(
                "runner-scaler is Running and Ready, but its informers fail: runnersets.actions.acme.io is forbidden for "
                "system:serviceaccount:ci:runner-scaler (its Role grants pods, configmaps and leases only), so it never sees runner sets to scale.",
                [["forbidden", "RBAC"], ["runnersets|runner-scaler"]],
                [["Role|ClusterRole|RoleBinding|permission|auth can-i"]],
            ),
            "tags": ["sweep", "logs", "rbac"],
        },
        {
            "namespaces": [namespace(ns, created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets],
            "pods": pods,
            "rbac": [role],
            "events": [],
        },
        logs,
    )


# --- 3. CPU throttled at its limit: checkout-api answers slowly, nothing restarts.
def cpu_throttled() -> None:
    now = datetime(2026, 12, 5, 19, 30)
    ns, created = "shop", datetime(2026, 4, 1, 8, 0)
    nodes = [
        ("ip-10-20-1-33.eu-west-1.compute.internal", "10.20.1.33"),
        ("ip-10-20-2-71.eu-west-1.compute.internal", "10.20.2.71"),
    ]
    tpl = template(
        "checkout-api",
        [
            container(
                "api",
                "registry.shop.io/checkout-api:5.2.1",
                cpu="250m",
                memory="768Mi",
                limits={"cpu": "500m", "memory": "768Mi"},
                env={"JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=75", "SERVER_PORT": "8080"},
            )
        ],
        "checkout-api",
    )
    deploy, sets, pods = workload(
        ns,
        "checkout-api",
        [(21, tpl, datetime(2026, 11, 26, 13, 0))],
        replicas=3,
        created=created,
        nodes=nodes,
        suffixes=["5d8kq", "b2lxn", "wr7tc"],
        ip_base="10.21.6",
    )
    cart_tpl = template(
        "cart",
        [
            container(
                "cart",
                "registry.shop.io/cart:3.0.4",
                cpu="200m",
                memory="256Mi",
                limits={"cpu": "1", "memory": "256Mi"},
            )
        ],
        "default",
    )
    cart, cart_sets, cart_pods = workload(
        ns,
        "cart",
        [(9, cart_tpl, datetime(2026, 11, 12, 9, 0))],
        replicas=1,
        created=created,
        nodes=nodes,
        suffixes=["t8c2m"],
        ip_base="10.21.7",
    )
    start = now - timedelta(minutes=45)

    def request(at, rng):
        ms = rng.choice([rng.randint(600, 1900), rng.randint(1900, 4200)])
        return f"{iso(at)}  INFO 1 --- [nio-8080-exec-{rng.randint(1, 40)}] c.s.checkout.web.AccessLog : POST /api/v1/checkout 200 {ms}ms"

    def slow(at, rng):
        return f"{iso(at)}  WARN 1 --- [nio-8080-exec-{rng.randint(1, 40)}] c.s.checkout.PricingService : slow pricing call took {rng.randint(2100, 4800)} ms (threshold 1000 ms)"

    def gc(at, rng):
        return f"{iso(at)}  INFO 1 --- [           main] c.s.checkout.Health : heap used {rng.randint(310, 420)}MiB of 576MiB"

    logs = {
        f"{ns}/{p['metadata']['name']}/api.log": lines_over(
            start, now, [(6, request), (2, slow), (0.5, gc)], p["metadata"]["name"]
        )
        for p in pods
    }
    logs[f"{ns}/{cart_pods[0]['metadata']['name']}/cart.log"] = lines_over(
        start,
        now,
        [
            (
                1,
                lambda at, rng: (
                    f"{iso(at)} INFO GET /cart/{rng.randint(1, 9999)} 200 {rng.randint(3, 18)}ms"
                ),
            )
        ],
        "cart",
    )
    series = []
    for i, p in enumerate(pods):
        labels = {
            "namespace": ns,
            "pod": p["metadata"]["name"],
            "container": "api",
            "image": "registry.shop.io/checkout-api:5.2.1",
            "name": p["metadata"]["name"][:20],
            "id": f"/kubepods/burstable/pod{i}/api",
            "job": "kubelet",
            "metrics_path": "/metrics/cadvisor",
        }
        # 10 CFS periods a second (100 ms period) -> +300 per 30 s sample; 58-66% throttled.
        throttled = [174, 186, 198][i]
        series += [
            ("container_cpu_cfs_periods_total", labels, f"{100000 + i * 5000}+300x120"),
            (
                "container_cpu_cfs_throttled_periods_total",
                labels,
                f"{20000 + i * 900}+{throttled}x120",
            ),
            (
                "container_cpu_usage_seconds_total",
                labels,
                f"{80000 + i * 3000}+{[14.6, 14.8, 14.9][i]}x120",
            ),
            ("container_memory_working_set_bytes", labels, f"{[402, 418, 395][i] * 1048576}+0x120"),
        ]
    cart_labels = {
        "namespace": ns,
        "pod": cart_pods[0]["metadata"]["name"],
        "container": "cart",
        "job": "kubelet",
        "metrics_path": "/metrics/cadvisor",
    }
    series += [
        ("container_cpu_cfs_periods_total", cart_labels, "50000+300x120"),
        ("container_cpu_cfs_throttled_periods_total", cart_labels, "120+0x120"),
        ("container_cpu_usage_seconds_total", cart_labels, "9000+1.2x120"),
        ("container_memory_working_set_bytes", cart_labels, f"{120 * 1048576}+0x120"),
    ]
    write_bundle(
        {
            "id": "sweep-checkout-api-cpu-throttled-latency",
            "title": "Checkout is slow: checkout-api is CPU-throttled at its 500m limit (no restarts, all Ready)",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why is checkout slow? checkout-api in namespace shop takes seconds to answer",
            "sources": ["kubernetes", "prometheus"],
            "expected": expect(
                "checkout-api's container api is throttled in about 60% of its CFS periods while using ~0.49 of its 0.5-core "
                "CPU limit; requests wait for CPU, so checkout takes 1-4 s (slow pricing calls logged at 2-5 s).",
                ["throttl", ["cpu limit", "0\\.5 cores", "500m"], ["checkout-api"]],
                [["cpu", "limit"]],
            ),
            "tags": ["sweep", "metrics", "cpu-throttling"],
        },
        {
            "namespaces": [namespace(ns, created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets, cart, *cart_sets],
            "pods": pods + cart_pods,
            "services": [
                service(ns, "checkout-api", "checkout-api", 80, 8080, "10.100.8.21", created)
            ],
            "events": [],
        },
        logs,
        series,
    )


if __name__ == "__main__":
    ranker_exception()
    rbac_forbidden()
    cpu_throttled()
    import sweep_incidents_extra
    import sweep_incidents_more

    sweep_incidents_more.main()
    sweep_incidents_extra.main()
