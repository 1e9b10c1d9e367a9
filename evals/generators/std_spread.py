import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-11-03T15:20:00Z"
ID = "pending-topology-spread-embedding-api-zone-drained"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
zs = {
    "a": ["ip-10-32-11-58", "ip-10-32-14-201"],
    "b": ["ip-10-32-21-17", "ip-10-32-25-133"],
    "c": ["ip-10-32-33-90", "ip-10-32-36-12"],
}
nodes = []
allnames = {}
for z, names in zs.items():
    for n in names:
        full = n + ".eu-west-1.compute.internal"
        allnames[n] = full
        nodes.append(
            node(
                full,
                "eu-west-1" + z,
                "c6i.2xlarge",
                "2026-10-20T04:00:00Z",
                NOW,
                labels={
                    "eks.amazonaws.com/nodegroup": "rag-c6i",
                    "eks.amazonaws.com/capacityType": "ON_DEMAND",
                    "pool": "rag",
                },
                unschedulable=(n == "ip-10-32-33-90"),
                taints=[
                    {
                        "key": "node.kubernetes.io/unschedulable",
                        "effect": "NoSchedule",
                        "timeAdded": "2026-11-03T14:31:07Z",
                    }
                ]
                if n == "ip-10-32-33-90"
                else None,
            )
        )
ns = "rag"
ns_objs = [namespace(n) for n in ("kube-system", "default", "rag", "monitoring")]
lab = {
    "app": "embedding-api",
    "app.kubernetes.io/name": "embedding-api",
    "app.kubernetes.io/version": "1.9.2",
}
tsc = [
    {
        "labelSelector": {"matchLabels": {"app": "embedding-api"}},
        "maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "DoNotSchedule",
    },
    {
        "labelSelector": {"matchLabels": {"app": "embedding-api"}},
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway",
    },
]
tspec = pod_spec(
    [
        container(
            "api",
            "ghcr.io/acme/embedding-api:1.9.2",
            8080,
            {"cpu": "3", "memory": "6Gi"},
            {"memory": "8Gi"},
            env=[
                {"name": "MODEL_ID", "value": "BAAI/bge-large-en-v1.5"},
                {"name": "MAX_BATCH_TOKENS", "value": "16384"},
            ],
            probe_path="/health",
        )
    ],
    node_selector={"pool": "rag"},
    tsc=tsc,
)
rs = "84f6b9d7c5"
pl = dict(lab)
pl["pod-template-hash"] = rs
running = [
    ("2f8kd", "ip-10-32-11-58"),
    ("9wq4m", "ip-10-32-14-201"),
    ("bx7tn", "ip-10-32-21-17"),
    ("hl2pz", "ip-10-32-25-133"),
]
pods = [
    pod(
        ns,
        f"embedding-api-{rs}-{s}",
        pl,
        tspec,
        ("ReplicaSet", f"embedding-api-{rs}"),
        "2026-10-28T10:02:%02dZ" % i,
        node=allnames[n],
    )
    for i, (s, n) in enumerate(running)
]
msg = (
    "0/6 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/unschedulable: }, "
    "4 node(s) didn't match pod topology spread constraints. preemption: 0/6 nodes are available: 1 No preemption victims found for incoming pod, 5 Preemption is not helpful for scheduling."
)
pending = [f"embedding-api-{rs}-{s}" for s in ("m6rjc", "vq8x2")]
for i, n in enumerate(pending):
    pods.append(
        pod(
            ns,
            n,
            pl,
            tspec,
            ("ReplicaSet", f"embedding-api-{rs}"),
            "2026-11-03T14:31:%02dZ" % (9 + i),
            phase="Pending",
            sched_msg=msg,
        )
    )
# noise: a batch reindex job filling ip-10-32-36-12 (zone c), qdrant statefulset, a completed job
jlab = {
    "app": "reindex",
    "batch.kubernetes.io/job-name": "reindex-corpus-29371840",
    "job-name": "reindex-corpus-29371840",
}
jspec = pod_spec(
    [
        container(
            "reindex",
            "ghcr.io/acme/rag-tools:0.31.0",
            None,
            {"cpu": "7", "memory": "12Gi"},
            {"memory": "14Gi"},
            args=["reindex", "--corpus", "support-kb", "--workers", "14"],
        )
    ],
    node_selector={"pool": "rag"},
)
jspec["restartPolicy"] = "Never"
jpod = pod(
    ns,
    "reindex-corpus-29371840-7xk2w",
    jlab,
    jspec,
    ("Job", "reindex-corpus-29371840"),
    "2026-11-03T14:00:04Z",
    node=allnames["ip-10-32-36-12"],
)
qlab = {"app": "qdrant", "app.kubernetes.io/name": "qdrant"}
qspec = pod_spec(
    [
        container(
            "qdrant",
            "qdrant/qdrant:v1.12.4",
            6333,
            {"cpu": "1", "memory": "4Gi"},
            {"memory": "4Gi"},
            probe_path="/readyz",
        )
    ],
    node_selector={"pool": "rag"},
)
qpods = [
    pod(
        ns,
        f"qdrant-{i}",
        {
            **qlab,
            "apps.kubernetes.io/pod-index": str(i),
            "statefulset.kubernetes.io/pod-name": f"qdrant-{i}",
        },
        qspec,
        ("StatefulSet", "qdrant"),
        "2026-10-21T09:00:%02dZ" % i,
        node=allnames[n],
    )
    for i, n in enumerate(["ip-10-32-11-58", "ip-10-32-21-17", "ip-10-32-36-12"])
]
workloads = [
    deployment(
        ns,
        "embedding-api",
        lab,
        tspec,
        6,
        "2026-09-02T10:00:00Z",
        rs,
        generation=9,
        status={
            "availableReplicas": 4,
            "readyReplicas": 4,
            "replicas": 6,
            "updatedReplicas": 6,
            "unavailableReplicas": 2,
        },
        conditions=[
            {
                "lastTransitionTime": "2026-11-03T14:31:09Z",
                "lastUpdateTime": "2026-11-03T14:31:09Z",
                "message": "Deployment does not have minimum availability.",
                "reason": "MinimumReplicasUnavailable",
                "status": "False",
                "type": "Available",
            },
            {
                "lastTransitionTime": "2026-10-28T10:02:00Z",
                "lastUpdateTime": "2026-10-28T10:03:31Z",
                "message": f'ReplicaSet "embedding-api-{rs}" has successfully progressed.',
                "reason": "NewReplicaSetAvailable",
                "status": "True",
                "type": "Progressing",
            },
        ],
    ),
    replicaset(ns, "embedding-api", rs, lab, tspec, 6, "2026-10-28T10:02:00Z", ready=4, revision=9),
    {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": "qdrant",
            "namespace": ns,
            "creationTimestamp": "2026-06-01T10:00:00Z",
            "generation": 3,
            "uid": uid("StatefulSet", ns, "qdrant"),
            "labels": qlab,
        },
        "spec": {
            "replicas": 3,
            "serviceName": "qdrant-headless",
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": {"app": "qdrant"}},
            "template": {"metadata": {"labels": qlab}, "spec": qspec},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        },
        "status": {
            "availableReplicas": 3,
            "collisionCount": 0,
            "currentReplicas": 3,
            "currentRevision": "qdrant-7d9c5b8f6",
            "observedGeneration": 3,
            "readyReplicas": 3,
            "replicas": 3,
            "updateRevision": "qdrant-7d9c5b8f6",
            "updatedReplicas": 3,
        },
    },
    {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "reindex-corpus-29371840",
            "namespace": ns,
            "creationTimestamp": "2026-11-03T14:00:00Z",
            "uid": uid("Job", ns, "reindex-corpus-29371840"),
            "labels": jlab,
            "ownerReferences": [
                {
                    "apiVersion": "batch/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "CronJob",
                    "name": "reindex-corpus",
                    "uid": uid("CronJob", ns, "reindex-corpus"),
                }
            ],
        },
        "spec": {
            "backoffLimit": 2,
            "completions": 1,
            "parallelism": 1,
            "template": {"metadata": {"labels": jlab}, "spec": jspec},
        },
        "status": {
            "active": 1,
            "ready": 1,
            "startTime": "2026-11-03T14:00:00Z",
            "terminating": 0,
            "uncountedTerminatedPods": {},
        },
    },
    {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": "reindex-corpus",
            "namespace": ns,
            "creationTimestamp": "2026-08-01T10:00:00Z",
            "uid": uid("CronJob", ns, "reindex-corpus"),
        },
        "spec": {
            "concurrencyPolicy": "Forbid",
            "failedJobsHistoryLimit": 1,
            "schedule": "0 14 * * *",
            "successfulJobsHistoryLimit": 3,
            "suspend": False,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 2,
                    "template": {"metadata": {"labels": {"app": "reindex"}}, "spec": jspec},
                }
            },
        },
        "status": {
            "active": [
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "name": "reindex-corpus-29371840",
                    "namespace": ns,
                }
            ],
            "lastScheduleTime": "2026-11-03T14:00:00Z",
            "lastSuccessfulTime": "2026-11-02T15:47:12Z",
        },
    },
    service(
        ns,
        "embedding-api",
        {"app": "embedding-api"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-09-02T10:00:00Z",
    ),
    endpointslice(ns, "embedding-api", pods[:4], 8080, created="2026-09-02T10:00:00Z"),
    service(
        ns,
        "qdrant-headless",
        {"app": "qdrant"},
        [{"name": "http", "port": 6333, "protocol": "TCP", "targetPort": 6333}],
        "2026-06-01T10:00:00Z",
        headless=True,
        labels=qlab,
    ),
    endpointslice(ns, "qdrant-headless", qpods, 6333, created="2026-06-01T10:00:00Z"),
]
events = [
    event(
        "default",
        "Node",
        allnames["ip-10-32-33-90"],
        "NodeNotSchedulable",
        f"Node {allnames['ip-10-32-33-90']} status is now: NodeNotSchedulable",
        "2026-11-03T14:31:07Z",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        f"embedding-api-{rs}-k4d8s",
        "Killing",
        "Stopping container api",
        "2026-11-03T14:31:08Z",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        f"embedding-api-{rs}-zn5wg",
        "Killing",
        "Stopping container api",
        "2026-11-03T14:31:08Z",
        component="kubelet",
    ),
    event(
        ns,
        "ReplicaSet",
        f"embedding-api-{rs}",
        "SuccessfulCreate",
        f"Created pod: {pending[0]}",
        "2026-11-03T14:31:09Z",
        component="replicaset-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "ReplicaSet",
        f"embedding-api-{rs}",
        "SuccessfulCreate",
        f"Created pod: {pending[1]}",
        "2026-11-03T14:31:10Z",
        component="replicaset-controller",
        api="apps/v1",
        seq=1,
    ),
    sched_event(ns, pending[0], msg, "2026-11-03T14:31:09Z", "2026-11-03T15:16:40Z", 11),
    sched_event(ns, pending[1], msg, "2026-11-03T14:31:10Z", "2026-11-03T15:16:41Z", 11),
    event(
        ns,
        "CronJob",
        "reindex-corpus",
        "SuccessfulCreate",
        "Created job reindex-corpus-29371840",
        "2026-11-03T14:00:00Z",
        component="cronjob-controller",
        api="batch/v1",
    ),
    event(
        ns,
        "Pod",
        qpods[2]["metadata"]["name"],
        "Unhealthy",
        'Readiness probe failed: Get "http://10.40.12.7:6333/readyz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        "2026-11-03T14:12:55Z",
        etype="Warning",
        component="kubelet",
    ),
]
incident = {
    "id": ID,
    "title": "embedding-api: a zone-c node cordoned for maintenance, the other full; DoNotSchedule zone spread blocks zones a and b",
    "time": NOW,
    "question": "two embedding-api pods in rag have been pending for 45 minutes although zones a and b have free CPU, why?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "embedding-api spreads app=embedding-api per topology.kubernetes.io/zone with maxSkew 1 DoNotSchedule; zones a and b hold 2 pods each and zone c 0, so new pods may go only to eu-west-1c, whose nodes are cordoned (ip-10-32-33-90) or lack CPU (ip-10-32-36-12, used by the reindex job).",
        "must_mention": [
            ["topology spread|maxSkew"],
            ["eu-west-1c"],
            ["cordon|SchedulingDisabled|unschedulable"],
        ],
        "remediation_must_mention": [["uncordon|ScheduleAnyway|maxSkew|nodeTaintsPolicy"]],
        "runbook": "pending-placement-constraints",
    },
    "tags": ["kubernetes", "scheduling", "pending", "topology-spread", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": [*pods, jpod, *qpods],
        "workloads.yaml": workloads,
        "events.yaml": events,
    },
)
