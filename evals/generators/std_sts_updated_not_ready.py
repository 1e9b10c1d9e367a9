"""StatefulSet rollout halted: the updated ordinal (clickhouse-2) never becomes ready because
the new revision's config listens on [::] only and the nodes have IPv6 disabled, so nothing
listens on 8123; the controller (OrderedReady)
waits on it, ordinals 0-1 stay on the old revision. Noise: a healthy Deployment and Service
in the namespace, unrelated events."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-08T10:05:00Z"
ID = "statefulset-updated-pod-never-ready-clickhouse"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"gke-analytics-pool-2-{s}",
        z,
        "n2-standard-16",
        "2026-11-20T06:00:00Z",
        NOW,
        region="europe-west4",
        cpu="16",
        alloc_cpu="15890m",
        mem_ki=65846972,
        alloc_mem="60250012Ki",
        labels={"cloud.google.com/gke-nodepool": "analytics-pool-2"},
    )
    for s, z in (
        ("7c1d-k2mv", "europe-west4-a"),
        ("9a4e-p8xq", "europe-west4-b"),
        ("b3f2-w5zn", "europe-west4-c"),
    )
]
N = [n["metadata"]["name"] for n in nodes]
ns = "analytics"
ns_objs = [namespace(n) for n in ("kube-system", "default", ns, "monitoring")]
lab = {"app.kubernetes.io/name": "clickhouse", "app.kubernetes.io/instance": "events-db"}


def cspec(tag):
    c = container(
        "clickhouse",
        f"docker.io/clickhouse/clickhouse-server:{tag}",
        8123,
        {"cpu": "4", "memory": "16Gi"},
        {"memory": "16Gi"},
        env=[
            {"name": "CLICKHOUSE_SHARD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
        ],
        probe_path="/ping",
    )
    c["ports"].append({"containerPort": 9000, "name": "native", "protocol": "TCP"})
    c["volumeMounts"] = [{"mountPath": "/var/lib/clickhouse", "name": "data"}]
    return pod_spec([c])


old_rev, new_rev = "clickhouse-6d9f8b7c55", "clickhouse-84c7b9d6f1"
pods = []
for i in range(3):
    updated = i == 2
    rev, tag = (new_rev, "24.8.4") if updated else (old_rev, "24.3.12")
    pl = dict(lab)
    pl.update(
        {
            "apps.kubernetes.io/pod-index": str(i),
            "controller-revision-hash": rev,
            "statefulset.kubernetes.io/pod-name": f"clickhouse-{i}",
        }
    )
    sp = cspec(tag)
    sp["hostname"] = f"clickhouse-{i}"
    sp["subdomain"] = "clickhouse-headless"
    created = "2026-12-08T09:02:10Z" if updated else f"2026-11-21T08:0{i}:00Z"
    p = pod(
        ns,
        f"clickhouse-{i}",
        pl,
        sp,
        ("StatefulSet", "clickhouse"),
        created,
        node=N[i],
        ready=not updated,
    )
    pods.append(p)
sts = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {
        "name": "clickhouse",
        "namespace": ns,
        "creationTimestamp": "2026-05-11T10:00:00Z",
        "generation": 14,
        "uid": uid("StatefulSet", ns, "clickhouse"),
        "labels": lab,
    },
    "spec": {
        "replicas": 3,
        "serviceName": "clickhouse-headless",
        "podManagementPolicy": "OrderedReady",
        "selector": {"matchLabels": lab},
        "template": {"metadata": {"labels": lab}, "spec": cspec("24.8.4")},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
    },
    "status": {
        "availableReplicas": 2,
        "collisionCount": 0,
        "currentReplicas": 2,
        "currentRevision": old_rev,
        "observedGeneration": 14,
        "readyReplicas": 2,
        "replicas": 3,
        "updateRevision": new_rev,
        "updatedReplicas": 1,
    },
}
glab = {"app": "grafana"}
gspec = pod_spec(
    [
        container(
            "grafana",
            "docker.io/grafana/grafana:11.3.0",
            3000,
            {"cpu": "250m", "memory": "512Mi"},
            {"memory": "1Gi"},
            probe_path="/api/health",
        )
    ]
)
grs = "5f7d8c9b64"
gl = dict(glab)
gl["pod-template-hash"] = grs
gpods = [
    pod(
        ns,
        f"grafana-{grs}-q4t8m",
        gl,
        gspec,
        ("ReplicaSet", f"grafana-{grs}"),
        "2026-12-01T10:00:00Z",
        node=N[0],
    )
]
work = [
    sts,
    service(
        ns,
        "clickhouse-headless",
        lab,
        [
            {"name": "http", "port": 8123, "protocol": "TCP", "targetPort": 8123},
            {"name": "native", "port": 9000, "protocol": "TCP", "targetPort": 9000},
        ],
        "2026-05-11T10:00:00Z",
        headless=True,
        labels=lab,
    ),
    service(
        ns,
        "clickhouse",
        lab,
        [{"name": "http", "port": 8123, "protocol": "TCP", "targetPort": 8123}],
        "2026-05-11T10:00:00Z",
        labels=lab,
    ),
    endpointslice(ns, "clickhouse", pods[:2], 8123, created="2026-05-11T10:00:00Z"),
    deployment(ns, "grafana", glab, gspec, 1, "2026-06-01T10:00:00Z", grs, generation=5),
    replicaset(ns, "grafana", grs, glab, gspec, 1, "2026-12-01T10:00:00Z", revision=5),
    service(
        ns,
        "grafana",
        glab,
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 3000}],
        "2026-06-01T10:00:00Z",
    ),
]

events = [
    event(
        ns,
        "StatefulSet",
        "clickhouse",
        "SuccessfulDelete",
        "delete Pod clickhouse-2 in StatefulSet clickhouse successful",
        "2026-12-08T09:02:00Z",
        component="statefulset-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "StatefulSet",
        "clickhouse",
        "SuccessfulCreate",
        "create Pod clickhouse-2 in StatefulSet clickhouse successful",
        "2026-12-08T09:02:10Z",
        component="statefulset-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "Pod",
        "clickhouse-2",
        "Pulled",
        'Successfully pulled image "docker.io/clickhouse/clickhouse-server:24.8.4" in 21.4s (21.4s including waiting). Image size: 246873112 bytes.',
        "2026-12-08T09:02:33Z",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        "clickhouse-2",
        "Unhealthy",
        'Readiness probe failed: Get "http://10.64.3.17:8123/ping": dial tcp 10.64.3.17:8123: connect: connection refused',
        "2026-12-08T09:02:45Z",
        "2026-12-08T10:04:35Z",
        372,
        "Warning",
        "kubelet",
    ),
    event(
        ns,
        "Pod",
        gpods[0]["metadata"]["name"],
        "Pulled",
        'Container image "docker.io/grafana/grafana:11.3.0" already present on machine',
        "2026-12-08T07:40:00Z",
        component="kubelet",
    ),
    event(
        "monitoring",
        "Pod",
        "kube-state-metrics-7b9c6d5f48-x2m9d",
        "Started",
        "Started container kube-state-metrics",
        "2026-12-08T08:12:00Z",
        component="kubelet",
    ),
]

alert = {
    "status": "firing",
    "labels": {
        "alertname": "KubeStatefulSetUpdateNotRolledOut",
        "namespace": ns,
        "statefulset": "clickhouse",
        "job": "kube-state-metrics",
        "severity": "warning",
    },
    "annotations": {
        "summary": "StatefulSet update has not been rolled out.",
        "description": "StatefulSet analytics/clickhouse update has not been rolled out.",
        "runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubestatefulsetupdatenotrolledout",
    },
    "startsAt": "2026-12-08T09:17:00Z",
    "endsAt": "0001-01-01T00:00:00Z",
    "fingerprint": "7e2b9c4d1a06f853",
}
incident = {
    "id": ID,
    "title": "ClickHouse 24.8 upgrade halts at clickhouse-2: the updated pod never becomes ready, ordinals 0-1 stay on 24.3",
    "time": NOW,
    "alert": alert,
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "The rollout of StatefulSet analytics/clickhouse halted at clickhouse-2, the updated pod, which never becomes ready; the controller waits for it, so ordinals 0-1 stay on the old revision.",
        "must_mention": [["clickhouse-2"], ["ready"], ["halt|wait|one (ordinal|pod) at a time"]],
        "remediation_must_mention": [["rollout undo|delete pod"]],
        "runbook": "statefulset-rollout-stuck",
    },
    "tags": ["kubernetes", "statefulset", "rollout", "alert", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": pods + gpods,
        "workloads.yaml": work,
        "events.yaml": events,
    },
)
d = f"{out}/logs/{ns}/clickhouse-2"
os.makedirs(d, exist_ok=True)
with open(f"{d}/clickhouse.log", "w") as f:
    f.write("Processing configuration file '/etc/clickhouse-server/config.xml'.\n")
    f.write("Merging configuration file '/etc/clickhouse-server/config.d/listen.xml'.\n")
    f.write(
        "2026.12.08 09:02:35.604118 [ 1 ] {} <Information> Application: Starting ClickHouse 24.8.4.13 (revision: 54491)\n"
    )
    f.write(
        "2026.12.08 09:02:36.912034 [ 1 ] {} <Error> Application: Listen [::]:8123 failed: Poco::Exception. Code: 1000, "
        "e.code() = 97, Net Exception: Address family not supported by protocol (version 24.8.4.13 (official build)). "
        "If it is an IPv6 or IPv4 address and your host has disabled IPv6 or IPv4, then consider to specify not disabled "
        "IPv4 or IPv6 address to listen in <listen_host> element of configuration file. Example for disabled IPv6: "
        "<listen_host>0.0.0.0</listen_host> . Example for disabled IPv4: <listen_host>::</listen_host>\n"
    )
    f.write(
        "2026.12.08 09:02:36.912711 [ 1 ] {} <Information> Application: Ready for connections.\n"
    )
