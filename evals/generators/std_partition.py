import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-07T14:20:00Z"
ID = "statefulset-partition-holds-kafka-update"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"ip-10-70-{a}-{b}.eu-north-1.compute.internal",
        z,
        "r7i.2xlarge",
        "2026-11-01T06:00:00Z",
        NOW,
        mem_ki=65023012,
        alloc_mem="62000000Ki",
        labels={"eks.amazonaws.com/nodegroup": "streaming"},
    )
    for a, b, z in ((1, 30, "eu-north-1a"), (2, 61, "eu-north-1b"), (3, 92, "eu-north-1c"))
]
N = [n["metadata"]["name"] for n in nodes]
ns = "streaming"
ns_objs = [namespace(n) for n in ("kube-system", "default", ns)]
lab = {"app.kubernetes.io/name": "kafka", "app.kubernetes.io/instance": "events"}


def kspec(tag):
    return pod_spec(
        [
            container(
                "kafka",
                f"docker.io/bitnami/kafka:{tag}",
                9092,
                {"cpu": "2", "memory": "8Gi"},
                {"memory": "8Gi"},
                env=[{"name": "KAFKA_CFG_PROCESS_ROLES", "value": "controller,broker"}],
            )
        ]
    )


old_rev, new_rev = "events-kafka-5d7c9b8f64", "events-kafka-8f6b7d5c49"
pods = []
for i in range(3):
    rev, tag = (new_rev, "3.9.1") if i == 2 else (old_rev, "3.8.0")
    pl = dict(lab)
    pl.update(
        {
            "apps.kubernetes.io/pod-index": str(i),
            "controller-revision-hash": rev,
            "statefulset.kubernetes.io/pod-name": f"events-kafka-{i}",
        }
    )
    sp = kspec(tag)
    sp["hostname"] = f"events-kafka-{i}"
    sp["subdomain"] = "events-kafka-headless"
    pods.append(
        pod(
            ns,
            f"events-kafka-{i}",
            pl,
            sp,
            ("StatefulSet", "events-kafka"),
            "2026-12-04T10:00:0%dZ" % i if i < 2 else "2026-12-05T11:30:00Z",
            node=N[i],
        )
    )
sts = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {
        "name": "events-kafka",
        "namespace": ns,
        "creationTimestamp": "2026-06-01T10:00:00Z",
        "generation": 9,
        "uid": uid("StatefulSet", ns, "events-kafka"),
        "labels": lab,
    },
    "spec": {
        "replicas": 3,
        "serviceName": "events-kafka-headless",
        "podManagementPolicy": "Parallel",
        "selector": {"matchLabels": lab},
        "template": {"metadata": {"labels": lab}, "spec": kspec("3.9.1")},
        "updateStrategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"partition": 2, "maxUnavailable": 1},
        },
    },
    "status": {
        "availableReplicas": 3,
        "collisionCount": 0,
        "currentReplicas": 2,
        "currentRevision": old_rev,
        "observedGeneration": 9,
        "readyReplicas": 3,
        "replicas": 3,
        "updateRevision": new_rev,
        "updatedReplicas": 1,
    },
}
work = [
    sts,
    service(
        ns,
        "events-kafka-headless",
        lab,
        [
            {"name": "tcp-client", "port": 9092, "protocol": "TCP", "targetPort": 9092},
            {"name": "tcp-controller", "port": 9093, "protocol": "TCP", "targetPort": 9093},
        ],
        "2026-06-01T10:00:00Z",
        headless=True,
        labels=lab,
    ),
    service(
        ns,
        "events-kafka",
        lab,
        [{"name": "tcp-client", "port": 9092, "protocol": "TCP", "targetPort": 9092}],
        "2026-06-01T10:00:00Z",
        labels=lab,
    ),
]
events = [
    event(
        ns,
        "StatefulSet",
        "events-kafka",
        "SuccessfulDelete",
        "delete Pod events-kafka-2 in StatefulSet events-kafka successful",
        "2026-12-05T11:29:50Z",
        component="statefulset-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "StatefulSet",
        "events-kafka",
        "SuccessfulCreate",
        "create Pod events-kafka-2 in StatefulSet events-kafka successful",
        "2026-12-05T11:30:00Z",
        component="statefulset-controller",
        api="apps/v1",
    ),
]
alert = {
    "status": "firing",
    "labels": {
        "alertname": "KubeStatefulSetUpdateNotRolledOut",
        "namespace": ns,
        "statefulset": "events-kafka",
        "job": "kube-state-metrics",
        "severity": "warning",
    },
    "annotations": {
        "summary": "StatefulSet update has not been rolled out.",
        "description": "StatefulSet streaming/events-kafka update has not been rolled out.",
        "runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubestatefulsetupdatenotrolledout",
    },
    "startsAt": "2026-12-05T11:45:00Z",
    "endsAt": "0001-01-01T00:00:00Z",
    "fingerprint": "c41e7a9d02b58f36",
}
incident = {
    "id": ID,
    "title": "Kafka 3.9.1 canary left in place: partition 2 keeps brokers 0 and 1 on the old revision",
    "time": NOW,
    "alert": alert,
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "StatefulSet streaming/events-kafka has updateStrategy.rollingUpdate.partition 2, so only events-kafka-2 runs the new revision and ordinals 0-1 stay on the old one.",
        "must_mention": [["partition"], ["events-kafka"], ["0-1|ordinals"]],
        "remediation_must_mention": [["partition\\W+0"]],
        "runbook": "statefulset-rollout-stuck",
    },
    "tags": ["kubernetes", "statefulset", "rollout", "alert"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": pods,
        "workloads.yaml": work,
        "events.yaml": events,
    },
)
