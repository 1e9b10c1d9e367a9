import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-06T19:30:00Z"
ID = "pending-pod-affinity-no-peer-feature-cache"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"aks-app-30112047-vmss00000{i}",
        f"uksouth-{i % 3 + 1}",
        "Standard_E8s_v5",
        "2026-11-15T06:00:00Z",
        NOW,
        region="uksouth",
        mem_ki=65000000,
        alloc_mem="60000000Ki",
        labels={"kubernetes.azure.com/agentpool": "app", "agentpool": "app"},
    )
    for i in range(5)
]
N = [n["metadata"]["name"] for n in nodes]
ns = "features"
ns_objs = [namespace(n) for n in ("kube-system", "default", ns, "monitoring")]
rlab = {
    "app.kubernetes.io/name": "redis",
    "app.kubernetes.io/instance": "online-store",
    "app.kubernetes.io/component": "master",
}
rspec = pod_spec(
    [
        container(
            "redis",
            "docker.io/bitnami/redis:7.4.2-debian-12-r6",
            6379,
            {"cpu": "1", "memory": "8Gi"},
            {"memory": "8Gi"},
        )
    ]
)
rpods = []
for i in range(1):
    pl = dict(rlab)
    pl.update(
        {
            "statefulset.kubernetes.io/pod-name": f"online-store-redis-master-{i}",
            "controller-revision-hash": "online-store-redis-master-6b9f7c8d54",
            "apps.kubernetes.io/pod-index": str(i),
        }
    )
    rpods.append(
        pod(
            ns,
            f"online-store-redis-master-{i}",
            pl,
            rspec,
            ("StatefulSet", "online-store-redis-master"),
            "2026-12-06T17:02:00Z",
            node=N[2],
        )
    )
lab = {"app": "feature-cache"}
aff = {
    "podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {
                "labelSelector": {"matchLabels": {"app": "redis-online"}},
                "topologyKey": "kubernetes.io/hostname",
            }
        ]
    }
}
spec = pod_spec(
    [
        container(
            "cache",
            "ghcr.io/acme/feature-cache:1.6.2",
            9000,
            {"cpu": "500m", "memory": "1Gi"},
            {"memory": "1Gi"},
            env=[{"name": "REDIS_ADDR", "value": "127.0.0.1:6379"}],
            probe_path="/ready",
        )
    ],
    affinity=aff,
)
rs = "69d7c8b5f4"
pl = dict(lab)
pl["pod-template-hash"] = rs
msg = "0/5 nodes are available: 5 node(s) didn't match pod affinity rules. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling."
pods = [
    pod(
        ns,
        f"feature-cache-{rs}-{s}",
        pl,
        spec,
        ("ReplicaSet", f"feature-cache-{rs}"),
        "2026-12-06T17:05:1%dZ" % i,
        phase="Pending",
        sched_msg=msg,
    )
    for i, s in enumerate(("v2q8n", "k7w4d"))
]
olab = {"app": "feature-api"}
ospec = pod_spec(
    [
        container(
            "api",
            "ghcr.io/acme/feature-api:2.0.3",
            8080,
            {"cpu": "500m", "memory": "1Gi"},
            {"memory": "1Gi"},
            probe_path="/healthz",
        )
    ]
)
ors = "84b6c9d7f5"
ol = dict(olab)
ol["pod-template-hash"] = ors
opods = [
    pod(
        ns,
        f"feature-api-{ors}-{s}",
        ol,
        ospec,
        ("ReplicaSet", f"feature-api-{ors}"),
        "2026-12-03T10:00:00Z",
        node=N[i],
    )
    for i, s in enumerate(("c4m9x", "h8r2t"))
]
work = [
    deployment(
        ns,
        "feature-cache",
        lab,
        spec,
        2,
        "2026-07-01T10:00:00Z",
        rs,
        generation=6,
        status={
            "replicas": 2,
            "updatedReplicas": 2,
            "unavailableReplicas": 2,
            "availableReplicas": 0,
            "readyReplicas": 0,
        },
        conditions=[
            {
                "lastTransitionTime": "2026-12-06T17:05:10Z",
                "lastUpdateTime": "2026-12-06T17:05:10Z",
                "message": "Deployment does not have minimum availability.",
                "reason": "MinimumReplicasUnavailable",
                "status": "False",
                "type": "Available",
            },
            {
                "lastTransitionTime": "2026-12-06T17:15:11Z",
                "lastUpdateTime": "2026-12-06T17:15:11Z",
                "message": f'ReplicaSet "feature-cache-{rs}" has timed out progressing.',
                "reason": "ProgressDeadlineExceeded",
                "status": "False",
                "type": "Progressing",
            },
        ],
    ),
    replicaset(ns, "feature-cache", rs, lab, spec, 2, "2026-12-06T17:05:10Z", ready=0, revision=6),
    {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": "online-store-redis-master",
            "namespace": ns,
            "creationTimestamp": "2026-12-06T17:01:30Z",
            "uid": uid("sts", "redis"),
            "labels": rlab,
            "annotations": {"meta.helm.sh/release-name": "online-store"},
        },
        "spec": {
            "replicas": 1,
            "serviceName": "online-store-redis-headless",
            "selector": {"matchLabels": rlab},
            "template": {"metadata": {"labels": rlab}, "spec": rspec},
        },
        "status": {
            "availableReplicas": 1,
            "currentReplicas": 1,
            "readyReplicas": 1,
            "replicas": 1,
            "updatedReplicas": 1,
            "currentRevision": "online-store-redis-master-6b9f7c8d54",
            "updateRevision": "online-store-redis-master-6b9f7c8d54",
        },
    },
    service(
        ns,
        "online-store-redis-headless",
        rlab,
        [{"name": "tcp-redis", "port": 6379, "protocol": "TCP", "targetPort": "redis"}],
        "2026-12-06T17:01:30Z",
        headless=True,
        labels=rlab,
    ),
    service(
        ns,
        "online-store-redis-master",
        rlab,
        [{"name": "tcp-redis", "port": 6379, "protocol": "TCP", "targetPort": "redis"}],
        "2026-12-06T17:01:30Z",
        labels=rlab,
    ),
    deployment(ns, "feature-api", olab, ospec, 2, "2026-07-01T10:00:00Z", ors, generation=9),
    replicaset(ns, "feature-api", ors, olab, ospec, 2, "2026-12-03T10:00:00Z", revision=9),
]
events = [
    event(
        ns,
        "StatefulSet",
        "redis-online",
        "SuccessfulDelete",
        "delete Pod redis-online-0 in StatefulSet redis-online successful",
        "2026-12-06T17:00:58Z",
        component="statefulset-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "StatefulSet",
        "online-store-redis-master",
        "SuccessfulCreate",
        "create Pod online-store-redis-master-0 in StatefulSet online-store-redis-master successful",
        "2026-12-06T17:01:31Z",
        component="statefulset-controller",
        api="apps/v1",
    ),
    sched_event(
        ns, pods[0]["metadata"]["name"], msg, "2026-12-06T17:05:10Z", "2026-12-06T19:27:42Z", 31
    ),
    sched_event(
        ns, pods[1]["metadata"]["name"], msg, "2026-12-06T17:05:11Z", "2026-12-06T19:27:43Z", 31
    ),
]
incident = {
    "id": ID,
    "title": "feature-cache pods Pending: required podAffinity to app=redis-online, but the Redis migrated to a Helm chart labels its pods app.kubernetes.io/name=redis",
    "time": NOW,
    "question": "why are the feature-cache pods in features pending since the redis migration?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "feature-cache requires podAffinity with pods labelled app=redis-online per kubernetes.io/hostname; since the Redis moved to the online-store chart no pod carries app=redis-online, so no node satisfies the rule (5 node(s) didn't match pod affinity rules).",
        "must_mention": [
            ["podAffinity|pod affinity"],
            ["app=redis-online"],
            ["no (running )?pod|matches no|no pod"],
        ],
        "remediation_must_mention": [["selector|labels|preferred"]],
        "runbook": "pending-placement-constraints",
    },
    "tags": ["kubernetes", "scheduling", "pending", "affinity", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": pods + rpods + opods,
        "workloads.yaml": work,
        "events.yaml": events,
    },
)
