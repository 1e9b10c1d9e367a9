import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-11-12T19:05:00Z"
ID = "pending-node-affinity-h100-zone-conflict-eval-job"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = []
spec_nodes = [
    ("ip-10-70-40-12", "us-east-1b", "p5.48xlarge", "NVIDIA-H100-80GB-HBM3", 8, "gpu-h100"),
    ("ip-10-70-41-77", "us-east-1b", "p5.48xlarge", "NVIDIA-H100-80GB-HBM3", 8, "gpu-h100"),
    ("ip-10-70-10-31", "us-east-1a", "g6.12xlarge", "NVIDIA-L4", 4, "gpu-l4"),
    ("ip-10-70-11-140", "us-east-1a", "g6.12xlarge", "NVIDIA-L4", 4, "gpu-l4"),
    ("ip-10-70-12-5", "us-east-1a", "m7i.4xlarge", None, 0, "general"),
    ("ip-10-70-42-218", "us-east-1b", "m7i.4xlarge", None, 0, "general"),
]
names = {}
for n, zone, it, prod, g, pool in spec_nodes:
    full = n + ".ec2.internal"
    names[n] = full
    labels = {"eks.amazonaws.com/nodegroup": pool, "eks.amazonaws.com/capacityType": "ON_DEMAND"}
    taints = None
    if prod:
        labels.update(
            {
                "nvidia.com/gpu.present": "true",
                "nvidia.com/gpu.product": prod,
                "nvidia.com/gpu.count": str(g),
            }
        )
        taints = [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]
    nodes.append(
        node(
            full,
            zone,
            it,
            "2026-11-01T06:00:00Z",
            NOW,
            cpu="192" if g == 8 else "48",
            alloc_cpu="191450m" if g == 8 else "47810m",
            mem_ki=2097152000 if g == 8 else 195000000,
            alloc_mem="2080000000Ki" if g == 8 else "190000000Ki",
            gpu=g or None,
            labels=labels,
            taints=taints,
        )
    )
ns = "evals"
ns_objs = [namespace(n) for n in ("kube-system", "default", "evals", "training", "gpu-operator")]
aff = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {
                            "key": "nvidia.com/gpu.product",
                            "operator": "In",
                            "values": ["NVIDIA-H100-80GB-HBM3"],
                        },
                        {
                            "key": "topology.kubernetes.io/zone",
                            "operator": "In",
                            "values": ["us-east-1a"],
                        },
                    ]
                }
            ]
        }
    }
}
jlab = {
    "app": "llm-judge-eval",
    "batch.kubernetes.io/controller-uid": uid("Job", ns, "llm-judge-eval-r42"),
    "batch.kubernetes.io/job-name": "llm-judge-eval-r42",
    "controller-uid": uid("Job", ns, "llm-judge-eval-r42"),
    "job-name": "llm-judge-eval-r42",
}
jspec = pod_spec(
    [
        container(
            "judge",
            "ghcr.io/acme/eval-harness:4.3.0",
            None,
            {"cpu": "32", "memory": "400Gi", "nvidia.com/gpu": "8"},
            {"memory": "480Gi", "nvidia.com/gpu": "8"},
            args=[
                "--model",
                "meta-llama/Llama-3.1-70B-Instruct",
                "--tp",
                "8",
                "--suite",
                "mt-bench,arena-hard",
                "--data",
                "/datasets/evals",
            ],
        )
    ],
    affinity=aff,
    tolerations=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}],
)
jspec["restartPolicy"] = "Never"
msg = "0/6 nodes are available: 6 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling."
pname = "llm-judge-eval-r42-xm7pq"
pods = [
    pod(
        ns,
        pname,
        jlab,
        jspec,
        ("Job", "llm-judge-eval-r42"),
        "2026-11-12T17:48:22Z",
        phase="Pending",
        sched_msg=msg,
    )
]
# noise: a training job running on the H100 nodes in namespace training, eval dashboard
tlab = {"app": "sft-mistral", "job-name": "sft-mistral-7b-v3"}
tspec = pod_spec(
    [
        container(
            "trainer",
            "ghcr.io/acme/trainer:2.8.1",
            None,
            {"cpu": "48", "memory": "600Gi", "nvidia.com/gpu": "4"},
            {"memory": "700Gi", "nvidia.com/gpu": "4"},
        )
    ],
    node_selector={"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"},
    tolerations=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}],
)
tspec["restartPolicy"] = "Never"
tpods = [
    pod(
        "training",
        "sft-mistral-7b-v3-worker-0",
        tlab,
        tspec,
        ("Job", "sft-mistral-7b-v3"),
        "2026-11-12T09:00:00Z",
        node=names["ip-10-70-40-12"],
    )
]
dlab = {"app": "eval-dashboard"}
dspec = pod_spec(
    [
        container(
            "web",
            "ghcr.io/acme/eval-dashboard:1.2.0",
            3000,
            {"cpu": "200m", "memory": "256Mi"},
            {"memory": "512Mi"},
            probe_path="/api/health",
        )
    ]
)
drs = "6d5c8b7f49"
dl = dict(dlab)
dl["pod-template-hash"] = drs
dpods = [
    pod(
        ns,
        f"eval-dashboard-{drs}-tq2wn",
        dl,
        dspec,
        ("ReplicaSet", f"eval-dashboard-{drs}"),
        "2026-11-05T12:00:00Z",
        node=names["ip-10-70-12-5"],
    )
]
workloads = [
    {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "llm-judge-eval-r42",
            "namespace": ns,
            "creationTimestamp": "2026-11-12T17:48:22Z",
            "uid": uid("Job", ns, "llm-judge-eval-r42"),
            "labels": {"app": "llm-judge-eval", "eval-run": "r42"},
        },
        "spec": {
            "backoffLimit": 0,
            "completionMode": "NonIndexed",
            "completions": 1,
            "parallelism": 1,
            "suspend": False,
            "manualSelector": False,
            "podReplacementPolicy": "TerminatingOrFailed",
            "selector": {
                "matchLabels": {
                    "batch.kubernetes.io/controller-uid": uid("Job", ns, "llm-judge-eval-r42")
                }
            },
            "template": {"metadata": {"labels": jlab}, "spec": jspec},
        },
        "status": {
            "active": 1,
            "ready": 0,
            "startTime": "2026-11-12T17:48:22Z",
            "terminating": 0,
            "uncountedTerminatedPods": {},
        },
    },
    {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "sft-mistral-7b-v3",
            "namespace": "training",
            "creationTimestamp": "2026-11-12T09:00:00Z",
            "uid": uid("Job", "training", "sft-mistral-7b-v3"),
        },
        "spec": {
            "backoffLimit": 3,
            "completions": 1,
            "parallelism": 1,
            "template": {"metadata": {"labels": tlab}, "spec": tspec},
        },
        "status": {
            "active": 1,
            "ready": 1,
            "startTime": "2026-11-12T09:00:00Z",
            "terminating": 0,
            "uncountedTerminatedPods": {},
        },
    },
    deployment(ns, "eval-dashboard", dlab, dspec, 1, "2026-09-01T10:00:00Z", drs, generation=4),
    replicaset(ns, "eval-dashboard", drs, dlab, dspec, 1, "2026-11-05T12:00:00Z", revision=4),
    service(
        ns,
        "eval-dashboard",
        {"app": "eval-dashboard"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 3000}],
        "2026-09-01T10:00:00Z",
    ),
]
events = [
    event(
        ns,
        "Job",
        "llm-judge-eval-r42",
        "SuccessfulCreate",
        f"Created pod: {pname}",
        "2026-11-12T17:48:22Z",
        component="job-controller",
        api="batch/v1",
    ),
    sched_event(ns, pname, msg, "2026-11-12T17:48:22Z", "2026-11-12T19:03:51Z", 16),
    event(
        "training",
        "Pod",
        "sft-mistral-7b-v3-worker-0",
        "Started",
        "Started container trainer",
        "2026-11-12T09:01:30Z",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        dpods[0]["metadata"]["name"],
        "Unhealthy",
        'Readiness probe failed: Get "http://10.40.5.9:3000/api/health": context deadline exceeded',
        "2026-11-12T18:40:02Z",
        etype="Warning",
        component="kubelet",
    ),
]
incident = {
    "id": ID,
    "title": "Eval job pinned to H100 AND zone us-east-1a by node affinity; the H100 nodes are all in us-east-1b",
    "time": NOW,
    "question": "the llm-judge-eval-r42 job in evals has not started in over an hour, what is wrong?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "Job llm-judge-eval-r42 requires node affinity nvidia.com/gpu.product In NVIDIA-H100-80GB-HBM3 AND topology.kubernetes.io/zone In us-east-1a; the H100 nodes are in us-east-1b and the us-east-1a nodes have L4 or no GPUs, so no node matches both (6 node(s) didn't match Pod's node affinity/selector).",
        "must_mention": [["node affinity"], ["us-east-1a"], ["H100"], ["no node"]],
        "remediation_must_mention": [["affinity|label"]],
        "runbook": "pending-placement-constraints",
    },
    "tags": ["kubernetes", "scheduling", "pending", "node-affinity", "gpu", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": pods + tpods + dpods,
        "workloads.yaml": workloads,
        "events.yaml": events,
    },
)
