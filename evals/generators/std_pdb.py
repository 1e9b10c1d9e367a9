import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-05T09:30:00Z"
ID = "pdb-blocks-drain-milvus-etcd-member-unready"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
names = [
    "ip-10-50-1-23.eu-central-1.compute.internal",
    "ip-10-50-2-148.eu-central-1.compute.internal",
    "ip-10-50-3-77.eu-central-1.compute.internal",
    "ip-10-50-1-201.eu-central-1.compute.internal",
]
zones = ["eu-central-1a", "eu-central-1b", "eu-central-1c", "eu-central-1a"]
DRAIN = names[2]
nodes = []
for n, z in zip(names, zones, strict=False):
    nodes.append(
        node(
            n,
            z,
            "m6i.4xlarge",
            "2026-10-01T06:00:00Z" if n != names[3] else "2026-12-05T08:55:00Z",
            NOW,
            cpu="16",
            alloc_cpu="15890m",
            mem_ki=65023012,
            alloc_mem="62000000Ki",
            labels={
                "eks.amazonaws.com/nodegroup": "data-m6i" if n != names[3] else "data-m6i-v134",
                "eks.amazonaws.com/nodegroup-image": "ami-0a1b2c3d4e5f60718"
                if n != names[3]
                else "ami-0f9e8d7c6b5a40312",
            },
            unschedulable=(n == DRAIN),
            taints=[
                {
                    "key": "node.kubernetes.io/unschedulable",
                    "effect": "NoSchedule",
                    "timeAdded": "2026-12-05T09:08:41Z",
                }
            ]
            if n == DRAIN
            else None,
        )
    )
ns = "milvus"
ns_objs = [namespace(n) for n in ("kube-system", "default", ns, "ingress-nginx")]
elab = {
    "app.kubernetes.io/name": "etcd",
    "app.kubernetes.io/instance": "milvus",
    "app.kubernetes.io/component": "etcd",
}
ec = container(
    "etcd",
    "docker.io/milvusdb/etcd:3.5.18-r1",
    2379,
    {"cpu": "500m", "memory": "2Gi"},
    {"memory": "4Gi"},
    env=[
        {
            "name": "ETCD_INITIAL_CLUSTER",
            "value": "milvus-etcd-0=http://milvus-etcd-0.milvus-etcd-headless.milvus.svc.cluster.local:2380,milvus-etcd-1=http://milvus-etcd-1.milvus-etcd-headless.milvus.svc.cluster.local:2380,milvus-etcd-2=http://milvus-etcd-2.milvus-etcd-headless.milvus.svc.cluster.local:2380",
        }
    ],
)
ec["readinessProbe"] = {
    "exec": {"command": ["/opt/bitnami/scripts/etcd/healthcheck.sh"]},
    "failureThreshold": 5,
    "initialDelaySeconds": 60,
    "periodSeconds": 10,
    "successThreshold": 1,
    "timeoutSeconds": 5,
}
espec = pod_spec([ec])
pods = []
for i, n in enumerate([DRAIN, names[0], names[1]]):
    pl = dict(elab)
    pl.update(
        {
            "apps.kubernetes.io/pod-index": str(i),
            "controller-revision-hash": "milvus-etcd-5d9c7b8f64",
            "statefulset.kubernetes.io/pod-name": f"milvus-etcd-{i}",
        }
    )
    p = pod(
        ns,
        f"milvus-etcd-{i}",
        pl,
        espec,
        ("StatefulSet", "milvus-etcd"),
        "2026-11-02T10:0%d:00Z" % i,
        node=n,
        ready=(i != 2),
    )
    pods.append(p)
qlab = {
    "app.kubernetes.io/name": "milvus",
    "app.kubernetes.io/instance": "milvus",
    "component": "querynode",
}
qspec = pod_spec(
    [
        container(
            "querynode",
            "docker.io/milvusdb/milvus:v2.5.12",
            21123,
            {"cpu": "4", "memory": "16Gi"},
            {"memory": "16Gi"},
            args=["milvus", "run", "querynode"],
        )
    ]
)
qrs = "6c8d7f9b45"
ql = dict(qlab)
ql["pod-template-hash"] = qrs
qpods = [
    pod(
        ns,
        f"milvus-querynode-{qrs}-{s}",
        ql,
        qspec,
        ("ReplicaSet", f"milvus-querynode-{qrs}"),
        t,
        node=n,
    )
    for s, n, t in (
        ("5fk2c", names[0], "2026-11-20T10:00:00Z"),
        ("x8w3n", names[3], "2026-12-05T09:09:02Z"),
    )
]
dlab = {"app.kubernetes.io/name": "aws-node", "k8s-app": "aws-node"}
dspec = pod_spec(
    [
        container(
            "aws-node",
            "602401143452.dkr.ecr.eu-central-1.amazonaws.com/amazon-k8s-cni:v1.20.4-eksbuild.1",
            61679,
            {"cpu": "25m"},
        )
    ]
)
dpods = []
for i, n in enumerate(names):
    p = pod(
        "kube-system", f"aws-node-{h(n, n=5)}", dlab, dspec, None, "2026-10-01T06:01:00Z", node=n
    )
    p["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "apps/v1",
            "blockOwnerDeletion": True,
            "controller": True,
            "kind": "DaemonSet",
            "name": "aws-node",
            "uid": uid("ds", "aws-node"),
        }
    ]
    dpods.append(p)
work = [
    {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": "milvus-etcd",
            "namespace": ns,
            "creationTimestamp": "2026-06-01T10:00:00Z",
            "generation": 4,
            "uid": uid("StatefulSet", ns, "milvus-etcd"),
            "labels": elab,
        },
        "spec": {
            "replicas": 3,
            "serviceName": "milvus-etcd-headless",
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": elab},
            "template": {"metadata": {"labels": elab}, "spec": espec},
            "updateStrategy": {"type": "RollingUpdate"},
        },
        "status": {
            "availableReplicas": 2,
            "currentReplicas": 3,
            "currentRevision": "milvus-etcd-5d9c7b8f64",
            "observedGeneration": 4,
            "readyReplicas": 2,
            "replicas": 3,
            "updateRevision": "milvus-etcd-5d9c7b8f64",
            "updatedReplicas": 3,
        },
    },
    service(
        ns,
        "milvus-etcd-headless",
        elab,
        [
            {"name": "client", "port": 2379, "protocol": "TCP", "targetPort": 2379},
            {"name": "peer", "port": 2380, "protocol": "TCP", "targetPort": 2380},
        ],
        "2026-06-01T10:00:00Z",
        headless=True,
        labels=elab,
    ),
    service(
        ns,
        "milvus-etcd",
        elab,
        [{"name": "client", "port": 2379, "protocol": "TCP", "targetPort": 2379}],
        "2026-06-01T10:00:00Z",
        labels=elab,
    ),
    deployment(ns, "milvus-querynode", qlab, qspec, 2, "2026-06-01T10:00:00Z", qrs, generation=7),
    replicaset(ns, "milvus-querynode", qrs, qlab, qspec, 2, "2026-11-20T10:00:00Z", revision=7),
]


def pdb(ns, name, selector, spec_extra, current, desired, expected, allowed):
    conds = [
        {
            "type": "DisruptionAllowed",
            "status": "True" if allowed else "False",
            "reason": "SufficientPods" if allowed else "InsufficientPods",
            "message": "" if allowed else "",
            "lastTransitionTime": "2026-12-05T08:12:30Z" if not allowed else "2026-11-20T10:01:00Z",
            "observedGeneration": 1,
        }
    ]
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {
            "name": name,
            "namespace": ns,
            "creationTimestamp": "2026-06-01T10:00:00Z",
            "generation": 1,
            "uid": uid("pdb", ns, name),
        },
        "spec": {"selector": {"matchLabels": selector}, **spec_extra},
        "status": {
            "conditions": conds,
            "currentHealthy": current,
            "desiredHealthy": desired,
            "disruptionsAllowed": allowed,
            "expectedPods": expected,
            "observedGeneration": 1,
        },
    }


pdbs = [
    pdb(ns, "milvus-etcd", elab, {"maxUnavailable": 1}, 2, 2, 3, 0),
    pdb(ns, "milvus-querynode", qlab, {"minAvailable": 1}, 2, 1, 2, 1),
    pdb(
        "kube-system",
        "coredns",
        {"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"},
        {"maxUnavailable": 1},
        2,
        1,
        2,
        1,
    ),
]
events = [
    event(
        "default",
        "Node",
        DRAIN,
        "NodeNotSchedulable",
        f"Node {DRAIN} status is now: NodeNotSchedulable",
        "2026-12-05T09:08:41Z",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        "milvus-querynode-6c8d7f9b45-h7t4r",
        "Killing",
        "Stopping container querynode",
        "2026-12-05T09:08:59Z",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        "milvus-etcd-2",
        "Unhealthy",
        'Readiness probe failed: {"level":"warn","ts":"2026-12-05T09:29:21Z","caller":"clientv3/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"endpoint://client/127.0.0.1:2379","error":"rpc error: code = DeadlineExceeded desc = context deadline exceeded"}',
        "2026-12-05T08:11:40Z",
        "2026-12-05T09:29:21Z",
        472,
        "Warning",
        "kubelet",
    ),
    event(
        "default",
        "Node",
        names[3],
        "RegisteredNode",
        f"Node {names[3]} event: Registered Node {names[3]} in Controller",
        "2026-12-05T08:55:40Z",
        component="node-controller",
    ),
]
incident = {
    "id": ID,
    "title": "Node-group upgrade stuck: milvus-etcd's PDB allows 0 disruptions because member 2 is already unready",
    "time": NOW,
    "question": f'kubectl drain {DRAIN} has been retrying for 20 minutes: error when evicting pods/"milvus-etcd-0" -n "milvus" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget. Why, and how do I get the node upgrade through?',
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "PDB milvus/milvus-etcd (maxUnavailable 1) allows 0 disruptions because milvus-etcd-2 is already not ready (2 of 3 healthy, 2 required), so evicting milvus-etcd-0 from the draining node would violate the budget.",
        "must_mention": [
            ["milvus-etcd"],
            ["milvus-etcd-2"],
            ["0 disruptions|disruptionsAllowed|allows 0"],
        ],
        "remediation_must_mention": [["milvus-etcd-2|unhealthyPodEvictionPolicy|AlwaysAllow"]],
        "runbook": "pdb-blocks-eviction",
    },
    "tags": ["kubernetes", "pdb", "drain", "node-upgrade", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": pods + qpods + dpods,
        "workloads.yaml": work,
        "pdbs.yaml": pdbs,
        "events.yaml": events,
    },
)
