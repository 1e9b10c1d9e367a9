"""More evidence-sweep incidents: a KEDA ScaledObject at its maximum, a ConfigMap change that
broke a Ready service, and a healthy service right after a rollout (which must still abstain).
See sweep_incidents.py."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from sweep_incidents import container, expect, iso, lines_over, template, workload, write_bundle
from sweep_objects import configmap, namespace, normal_event, plain_node, service


# --- 7. KEDA scales transcode-worker on a queue; it sits at maxReplicaCount 4 with a backlog.
def keda_at_max() -> None:
    now = datetime(2026, 12, 4, 18, 20)
    ns, created = "media", datetime(2026, 7, 1, 9, 0)
    nodes = [("cpu-pool-7a", "10.80.0.41"), ("cpu-pool-7b", "10.80.0.42")]
    tpl = template(
        "transcode-worker",
        [
            container(
                "worker",
                "ghcr.io/acme/transcoder:3.4.2",
                cpu="2",
                memory="3Gi",
                limits={"memory": "3Gi"},
            )
        ],
        "transcode-worker",
    )
    deploy, sets, pods = workload(
        ns,
        "transcode-worker",
        [(7, tpl, datetime(2026, 11, 27, 11, 0))],
        replicas=4,
        created=created,
        nodes=nodes,
        suffixes=["a1b2c", "d3e4f", "g5h6j", "k7l8m"],
        ip_base="10.81.5",
    )
    scaled = {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {
            "name": "transcode-worker",
            "namespace": ns,
            "uid": "3c5e7a9b-1d2f-4a6c-8e0b-2d4f6a8c0e1f",
            "creationTimestamp": "2026-07-01T09:10:00Z",
        },
        "spec": {
            "scaleTargetRef": {"name": "transcode-worker"},
            "minReplicaCount": 1,
            "maxReplicaCount": 4,
            "pollingInterval": 15,
            "triggers": [
                {
                    "type": "rabbitmq",
                    "metadata": {
                        "queueName": "transcode-jobs",
                        "mode": "QueueLength",
                        "value": "20",
                    },
                }
            ],
        },
        "status": {
            "hpaName": "keda-hpa-transcode-worker",
            "scaleTargetKind": "apps/v1.Deployment",
            "externalMetricNames": ["s0-rabbitmq-transcode-jobs"],
            "lastActiveTime": "2026-12-04T18:19:45Z",
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "ScaledObjectReady",
                    "message": "ScaledObject is defined correctly and is ready for scaling",
                },
                {
                    "type": "Active",
                    "status": "True",
                    "reason": "ScalerActive",
                    "message": "Scaling is performed because triggers are active",
                },
                {
                    "type": "Fallback",
                    "status": "False",
                    "reason": "NoFallbackFound",
                    "message": "No fallbacks are active on this scaled object",
                },
            ],
        },
    }
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": "keda-hpa-transcode-worker",
            "namespace": ns,
            "uid": "4d6f8b0c-2e3a-4b7d-9f1c-3e5a7b9d1f2a",
            "creationTimestamp": "2026-07-01T09:10:01Z",
            "labels": {"scaledobject.keda.sh/name": "transcode-worker"},
        },
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": "transcode-worker",
            },
            "minReplicas": 1,
            "maxReplicas": 4,
            "metrics": [
                {
                    "type": "External",
                    "external": {
                        "metric": {
                            "name": "s0-rabbitmq-transcode-jobs",
                            "selector": {
                                "matchLabels": {"scaledobject.keda.sh/name": "transcode-worker"}
                            },
                        },
                        "target": {"type": "AverageValue", "averageValue": "20"},
                    },
                }
            ],
        },
        "status": {
            "currentReplicas": 4,
            "desiredReplicas": 4,
            "currentMetrics": [
                {
                    "type": "External",
                    "external": {
                        "metric": {"name": "s0-rabbitmq-transcode-jobs"},
                        "current": {"averageValue": "143500m"},
                    },
                }
            ],
            "conditions": [
                {
                    "type": "AbleToScale",
                    "status": "True",
                    "reason": "ReadyForNewScale",
                    "message": "recommended size matches current size",
                },
                {
                    "type": "ScalingActive",
                    "status": "True",
                    "reason": "ValidMetricFound",
                    "message": "the HPA was able to successfully calculate a replica count from external metric s0-rabbitmq-transcode-jobs",
                },
                {
                    "type": "ScalingLimited",
                    "status": "True",
                    "reason": "TooManyReplicas",
                    "message": "the desired replica count is more than the maximum replica count",
                },
            ],
        },
    }
    start = now - timedelta(minutes=50)

    def job(at, rng):
        return f"{iso(at)} INFO worker: transcoded job={rng.randint(10**5, 10**6)} profile={rng.choice(['1080p', '720p', '480p'])} seconds={rng.randint(40, 95)}"

    def backlog(at, rng):
        return f"{iso(at)} INFO worker: queue transcode-jobs depth={rng.randint(540, 610)} consumers=4 oldest_message_age_s={rng.randint(1500, 2400)}"

    logs = {
        f"{ns}/{p['metadata']['name']}/worker.log": lines_over(
            start, now, [(4, job), (1, backlog)], p["metadata"]["name"]
        )
        for p in pods
    }
    write_bundle(
        {
            "id": "sweep-transcode-worker-keda-at-max",
            "title": "Transcodes take half an hour: the KEDA ScaledObject is pinned at maxReplicaCount 4 with ~575 queued jobs",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why are video transcodes in namespace media taking so long to start?",
            "sources": ["kubernetes"],
            "expected": expect(
                "KEDA ScaledObject media/transcode-worker is at its maxReplicaCount of 4 and wants more (ScalingLimited "
                "TooManyReplicas; about 143 messages per replica against a target of 20), so the queue backlog grows.",
                [["maximum|maxReplicaCount|at max"], ["transcode-worker"], ["4"]],
                [["maxReplicaCount|maxReplicas|scale|capacity"]],
            ),
            "tags": ["sweep", "autoscaling", "keda"],
        },
        {
            "namespaces": [namespace(ns, created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets],
            "pods": pods,
            "autoscaling": [scaled, hpa],
            "events": [],
        },
        logs,
    )


# --- 8. A ConfigMap edit 12 minutes ago points the feature-flag client at a host that refuses.
def configmap_change() -> None:
    now = datetime(2026, 12, 2, 10, 5)
    ns, created = "growth", datetime(2026, 3, 3, 9, 0)
    nodes = [("ip-10-60-1-5.ec2.internal", "10.60.1.5"), ("ip-10-60-1-9.ec2.internal", "10.60.1.9")]
    volumes = [{"name": "flags", "configMap": {"name": "experiments-flags"}}]
    c = container("api", "ghcr.io/acme/experiments-api:1.21.0", memory="384Mi")
    c["volumeMounts"] = [{"name": "flags", "mountPath": "/etc/flags"}]
    tpl = template("experiments-api", [c], "experiments-api", volumes)
    deploy, sets, pods = workload(
        ns,
        "experiments-api",
        [(5, tpl, datetime(2026, 11, 18, 15, 0))],
        replicas=2,
        created=created,
        nodes=nodes,
        suffixes=["w2x4z", "j8k6n"],
        ip_base="10.61.2",
    )
    changed = now - timedelta(minutes=12)
    flags = configmap(
        ns,
        "experiments-flags",
        {
            "flags.yaml": "provider: unleash\nurl: http://unleash-edge.growth-staging:3063/api\nrefresh_seconds: 15\n"
        },
        created,
        changed,
        9911873,
    )
    start = now - timedelta(minutes=45)

    def before(at, rng):
        return (
            f"{iso(at)} info  flags refreshed from http://unleash-edge.growth:3063/api toggles=148"
        )

    def assign(at, rng):
        return f"{iso(at)} info  assigned user={rng.randint(10**6, 10**7)} experiment=checkout-v3 variant={rng.choice(['control', 'treatment'])}"

    def refused(at, rng):
        return f'{iso(at)} error flags refresh failed: Get "http://unleash-edge.growth-staging:3063/api/client/features": dial tcp 10.100.90.14:3063: connect: connection refused; serving stale toggles (age {rng.randint(60, 700)}s)'

    logs = {}
    for p in pods:
        name = p["metadata"]["name"]
        head = lines_over(start, changed, [(1, before), (3, assign)], name + "a")
        tail = lines_over(
            changed + timedelta(seconds=40), now, [(2, refused), (3, assign)], name + "b"
        )
        logs[f"{ns}/{name}/api.log"] = head + tail
    write_bundle(
        {
            "id": "sweep-experiments-api-configmap-flags-refused",
            "title": "Experiments serve stale flags: a ConfigMap edit points the flag client at a staging host that refuses",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why did experiment assignments in namespace growth stop picking up flag changes in the last 30 minutes?",
            "sources": ["kubernetes"],
            "expected": expect(
                "Since ConfigMap growth/experiments-flags was changed 12 minutes ago, experiments-api's flag refreshes "
                "fail with connection refused from unleash-edge.growth-staging:3063, so it serves stale toggles.",
                [["connection refused|refused"], ["experiments-flags|ConfigMap"]],
                [["ConfigMap|experiments-flags|dependency"]],
            ),
            "tags": ["sweep", "config", "logs"],
        },
        {
            "namespaces": [namespace(ns, created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets],
            "pods": pods,
            "config": [flags],
            "services": [
                service(ns, "experiments-api", "experiments-api", 80, 8080, "10.100.90.2", created)
            ],
            "events": [],
        },
        logs,
    )


# --- 9. Healthy after a routine rollout: a few transient warnings, HPA well below max. Abstain.
def healthy_after_rollout() -> None:
    now = datetime(2026, 12, 5, 9, 40)
    ns, created = "docs", datetime(2026, 5, 1, 9, 0)
    nodes = [("node-d1", "10.90.0.11"), ("node-d2", "10.90.0.12")]
    old = template(
        "docs-site",
        [container("web", "ghcr.io/acme/docs-site:2026.11.30", cpu="100m", memory="256Mi")],
        "default",
    )
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "ghcr.io/acme/docs-site:2026.12.05"
    rolled = now - timedelta(minutes=18)
    deploy, sets, pods = workload(
        ns,
        "docs-site",
        [(30, old, datetime(2026, 11, 30, 8, 0)), (31, new, rolled)],
        replicas=3,
        created=created,
        nodes=nodes,
        suffixes=["q1w2e", "r3t4y", "u5i6o"],
        ip_base="10.91.1",
    )
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": "docs-site",
            "namespace": ns,
            "uid": "7e9a1c3e-5b7d-4f9a-8c1e-3a5c7e9b1d3f",
            "creationTimestamp": "2026-05-01T09:05:00Z",
        },
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "docs-site"},
            "minReplicas": 3,
            "maxReplicas": 10,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
        },
        "status": {
            "currentReplicas": 3,
            "desiredReplicas": 3,
            "currentMetrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "current": {"averageUtilization": 22, "averageValue": "22m"},
                    },
                }
            ],
            "conditions": [
                {
                    "type": "AbleToScale",
                    "status": "True",
                    "reason": "ReadyForNewScale",
                    "message": "recommended size matches current size",
                },
                {
                    "type": "ScalingActive",
                    "status": "True",
                    "reason": "ValidMetricFound",
                    "message": "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)",
                },
                {
                    "type": "ScalingLimited",
                    "status": "True",
                    "reason": "TooFewReplicas",
                    "message": "the desired replica count is less than the minimum replica count",
                },
            ],
        },
    }

    def served(at, rng):
        return f"{iso(at)} INFO  GET /{rng.choice(['guides/install', 'api/v2', 'faq', 'search'])} 200 {rng.randint(2, 30)}ms"

    def warn(at, rng):
        return f"{iso(at)} WARN  search index warm-up: {rng.randint(1, 9)} shards pending"

    logs = {}
    for i, p in enumerate(pods):
        name = p["metadata"]["name"]
        text = lines_over(rolled + timedelta(seconds=40), now, [(12, served), (0.3, warn)], name)
        if i == 0:  # one transient failure right at start-up, then fine
            first = rolled + timedelta(seconds=20)
            text = (
                f"{iso(first)} ERROR upstream search-backend timed out after 2000 ms during warm-up; retrying\n"
                + text
            )
        logs[f"{ns}/{name}/web.log"] = text
    events = [
        normal_event(
            deploy,
            "ScalingReplicaSet",
            f"Scaled up replica set {sets[-1]['metadata']['name']} from 0 to 3",
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
            "id": "abstain-healthy-docs-site-after-rollout",
            "title": "Docs site reported broken after a routine rollout, but it is healthy",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Is the docs-site in namespace docs broken since the deploy?",
            "sources": ["kubernetes"],
            "expected": {
                "root_cause": "No fault: docs-site rolled out revision 31 (a new image) 18 minutes ago and all 3 pods are "
                "Running and Ready, serving 200s in milliseconds; one timeout during warm-up was retried, the HPA is at 3 of 10.",
                "must_mention": [
                    "no (fault|problem|issue|error)|healthy|running normally|(is|are) (up|running)|all .*ready|3/3",
                    ["docs-site"],
                ],
            },
            "tags": ["abstain", "healthy", "sweep"],
        },
        {
            "namespaces": [namespace(ns, created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets],
            "pods": pods,
            "autoscaling": [hpa],
            "services": [service(ns, "docs-site", "docs-site", 80, 8080, "10.100.95.1", created)],
            "events": events,
        },
        logs,
    )


# --- 10. A JVM worker at 95% of its memory limit spends its time in full GCs: slow, not killed.
def memory_near_limit() -> None:
    now = datetime(2026, 12, 6, 16, 0)
    ns, created = "mlops", datetime(2026, 8, 8, 9, 0)
    nodes = [("ip-10-44-2-10.ec2.internal", "10.44.2.10")]
    tpl = template(
        "feature-sync",
        [
            container(
                "sync",
                "ghcr.io/acme/feature-sync:0.31.0",
                cpu="1",
                memory="2Gi",
                limits={"memory": "2Gi"},
                env={"JAVA_TOOL_OPTIONS": "-Xmx1800m"},
            )
        ],
        "feature-sync",
    )
    deploy, sets, pods = workload(
        ns,
        "feature-sync",
        [(11, tpl, datetime(2026, 11, 25, 10, 0))],
        replicas=1,
        created=created,
        nodes=nodes,
        suffixes=["z7y6x"],
        ip_base="10.45.1",
    )
    start = now - timedelta(minutes=50)

    def batch(at, rng):
        return f"{iso(at)}  INFO [sync-1] c.a.fs.SyncJob : synced batch of {rng.randint(800, 1000)} entities in {rng.randint(4, 9)}.{rng.randint(0, 9)}s"

    def gc(at, rng):
        return f"{iso(at)}  WARN [jvm-pause] c.a.fs.PauseMonitor : JVM paused for GC, slow: pause took {rng.randint(2200, 4100)} ms (old gen {rng.randint(95, 99)}% full)"

    name = pods[0]["metadata"]["name"]
    logs = {f"{ns}/{name}/sync.log": lines_over(start, now, [(3, batch), (2, gc)], name)}
    labels = {
        "namespace": ns,
        "pod": name,
        "container": "sync",
        "job": "kubelet",
        "metrics_path": "/metrics/cadvisor",
    }
    series = [
        ("container_memory_working_set_bytes", labels, f"{1890 * 1048576}+{1048576 // 4}x120"),
        ("container_cpu_usage_seconds_total", labels, "51000+27.5x120"),
        ("container_cpu_cfs_periods_total", labels, "0+0x120"),
        ("container_cpu_cfs_throttled_periods_total", labels, "0+0x120"),
    ]
    write_bundle(
        {
            "id": "sweep-feature-sync-memory-near-limit-gc",
            "title": "feature-sync slows to a crawl at 95% of its 2Gi memory limit, pausing for full GCs (never OOMKilled)",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why has the feature-sync worker in namespace mlops become so slow?",
            "sources": ["kubernetes", "prometheus"],
            "expected": expect(
                "Container sync of feature-sync uses about 1.9Gi of its 2Gi memory limit (95%); the JVM spends its time "
                "in GC pauses of 2-4 s, so batches take 4-9 s. It is not restarting (no OOMKill yet).",
                [["memory"], ["limit"], ["2Gi|9[0-9]%"], ["feature-sync"]],
                [["memory limit|memory"]],
            ),
            "tags": ["sweep", "metrics", "memory"],
        },
        {
            "namespaces": [namespace(ns, created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [deploy, *sets],
            "pods": pods,
            "events": [],
        },
        logs,
        series,
    )


def main() -> None:
    memory_near_limit()
    keda_at_max()
    configmap_change()
    healthy_after_rollout()
