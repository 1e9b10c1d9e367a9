import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-07T12:00:00Z"
ID = "pdb-never-allows-karpenter-consolidation-grafana"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
names = [
    "ip-10-61-20-5.us-west-2.compute.internal",
    "ip-10-61-21-99.us-west-2.compute.internal",
    "ip-10-61-22-140.us-west-2.compute.internal",
]
nodes = [
    node(
        n,
        z,
        it,
        "2026-12-01T06:00:00Z",
        NOW,
        cpu=c,
        alloc_cpu=a,
        labels={
            "karpenter.sh/nodepool": "default",
            "karpenter.sh/capacity-type": "spot",
            "karpenter.k8s.aws/instance-family": it.split(".")[0],
        },
    )
    for n, z, it, c, a in (
        (names[0], "us-west-2a", "c7i.4xlarge", "16", "15890m"),
        (names[1], "us-west-2b", "c7i.4xlarge", "16", "15890m"),
        (names[2], "us-west-2c", "m7i.8xlarge", "32", "31750m"),
    )
]
ns_objs = [namespace(n) for n in ("kube-system", "default", "monitoring", "karpenter", "apps")]
glab = {"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "grafana"}
gspec = pod_spec(
    [
        container(
            "grafana",
            "docker.io/grafana/grafana:12.2.1",
            3000,
            {"cpu": "250m", "memory": "512Mi"},
            {"memory": "1Gi"},
            probe_path="/api/health",
        )
    ]
)
grs = "5c8d7b9f64"
gl = dict(glab)
gl["pod-template-hash"] = grs
gpod = pod(
    "monitoring",
    f"grafana-{grs}-w4t7k",
    gl,
    gspec,
    ("ReplicaSet", f"grafana-{grs}"),
    "2026-12-01T07:00:00Z",
    node=names[2],
)
alab = {"app": "checkout"}
aspec = pod_spec(
    [
        container(
            "checkout",
            "ghcr.io/acme/checkout:8.1.0",
            8080,
            {"cpu": "2", "memory": "4Gi"},
            {"memory": "4Gi"},
            probe_path="/healthz",
        )
    ]
)
ars = "6f7b8c9d45"
al = dict(alab)
al["pod-template-hash"] = ars
apods = [
    pod(
        "apps",
        f"checkout-{ars}-{s}",
        al,
        aspec,
        ("ReplicaSet", f"checkout-{ars}"),
        "2026-12-05T09:00:00Z",
        node=names[i],
    )
    for i, s in enumerate(("p2k9d", "x7c4m"))
]
work = [
    deployment("monitoring", "grafana", glab, gspec, 1, "2026-05-01T10:00:00Z", grs, generation=14),
    replicaset("monitoring", "grafana", grs, glab, gspec, 1, "2026-12-01T07:00:00Z", revision=14),
    deployment("apps", "checkout", alab, aspec, 2, "2026-05-01T10:00:00Z", ars, generation=30),
    replicaset("apps", "checkout", ars, alab, aspec, 2, "2026-12-05T09:00:00Z", revision=30),
]


def pdb(ns, name, selector, extra, current, desired, expected, allowed):
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {
            "name": name,
            "namespace": ns,
            "creationTimestamp": "2026-05-01T10:00:00Z",
            "generation": 1,
            "uid": uid("pdb", ns, name),
            "labels": {"app.kubernetes.io/managed-by": "Helm"},
        },
        "spec": {"selector": {"matchLabels": selector}, **extra},
        "status": {
            "conditions": [
                {
                    "type": "DisruptionAllowed",
                    "status": "True" if allowed else "False",
                    "reason": "SufficientPods" if allowed else "InsufficientPods",
                    "message": "",
                    "lastTransitionTime": "2026-12-01T07:00:30Z",
                    "observedGeneration": 1,
                }
            ],
            "currentHealthy": current,
            "desiredHealthy": desired,
            "disruptionsAllowed": allowed,
            "expectedPods": expected,
            "observedGeneration": 1,
        },
    }


pdbs = [
    pdb("monitoring", "grafana", glab, {"minAvailable": 1}, 1, 1, 1, 0),
    pdb("apps", "checkout", alab, {"maxUnavailable": 1}, 2, 1, 2, 1),
]
nc = {
    "apiVersion": "karpenter.sh/v1",
    "kind": "NodeClaim",
    "metadata": {
        "name": "default-x7k2p",
        "creationTimestamp": "2026-12-01T06:00:00Z",
        "uid": uid("nc", "x7k2p"),
        "labels": {"karpenter.sh/nodepool": "default"},
    },
    "spec": {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"}
    },
    "status": {
        "nodeName": names[2],
        "conditions": [
            {
                "type": "Consolidatable",
                "status": "True",
                "reason": "Consolidatable",
                "message": "",
                "lastTransitionTime": "2026-12-05T09:20:00Z",
            },
            {
                "type": "Ready",
                "status": "True",
                "reason": "Ready",
                "message": "",
                "lastTransitionTime": "2026-12-01T06:01:10Z",
            },
        ],
    },
}
events = [
    event(
        "default",
        "Node",
        names[2],
        "DisruptionBlocked",
        'Cannot disrupt Node: pdb "monitoring/grafana" prevents pod evictions',
        "2026-12-05T09:20:31Z",
        "2026-12-07T11:55:31Z",
        288,
        "Normal",
        "karpenter",
    ),
    event(
        "default",
        "Node",
        names[0],
        "Unconsolidatable",
        "SpotToSpotConsolidation is disabled, can't replace a spot node with a spot node",
        "2026-12-05T09:21:00Z",
        "2026-12-07T11:41:00Z",
        96,
        "Normal",
        "karpenter",
    ),
]
incident = {
    "id": ID,
    "title": "Karpenter never consolidates a mostly empty m7i.8xlarge: grafana's single replica has a PDB with minAvailable 1",
    "time": NOW,
    "question": "why doesn't karpenter consolidate ip-10-61-22-140.us-west-2.compute.internal? it only runs grafana and has been nearly empty for two days",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "PDB monitoring/grafana (minAvailable 1) covers grafana's only replica, on that node, so it can never allow an eviction; Karpenter reports DisruptionBlocked and cannot drain the node.",
        "must_mention": [["grafana"], ["minAvailable 1|never allow"], ["evict"]],
        "remediation_must_mention": [["maxUnavailable|scale|replicas"]],
        "runbook": "pdb-blocks-eviction",
    },
    "tags": ["kubernetes", "pdb", "karpenter", "autoscaling", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": [gpod, *apods],
        "workloads.yaml": work,
        "pdbs.yaml": pdbs,
        "karpenter.yaml": [nc],
        "events.yaml": events,
    },
)
