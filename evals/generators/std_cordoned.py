"""Pending pod whose only fitting nodes are cordoned: both A100 nodes were cordoned
(kubectl cordon: spec.unschedulable plus the node.kubernetes.io/unschedulable:NoSchedule
taint) for a driver upgrade that finished, and nobody uncordoned them; the other nodes have
no GPU. Noise: a running GPU pod the cordon does not evict, CPU workloads, unrelated events."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-11T10:20:00Z"
ID = "pending-gpu-nodes-left-cordoned-after-driver-upgrade"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
CORDON = {
    "key": "node.kubernetes.io/unschedulable",
    "effect": "NoSchedule",
    "timeAdded": "2026-12-10T21:02:11Z",
}
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
nodes = []
for name, gpu in (
    ("a100-node-1", 8),
    ("a100-node-2", 8),
    ("cpu-node-1", None),
    ("cpu-node-2", None),
    ("cpu-node-3", None),
):
    labels = {"node-role.kubernetes.io/worker": ""}
    taints = None
    if gpu:
        labels |= {
            "nvidia.com/gpu.present": "true",
            "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB",
            "nvidia.com/gpu.count": "8",
        }
        taints = [GPU_TAINT, CORDON]
    nodes.append(
        node(
            f"{name}.dc1.acme.internal",
            "dc1-a",
            "dgx-a100" if gpu else "r650",
            "2026-09-01T06:00:00Z",
            NOW,
            region="dc1",
            cpu="128" if gpu else "32",
            alloc_cpu="127500m" if gpu else "31500m",
            mem_ki=1056330560 if gpu else 263739392,
            alloc_mem="1030000000Ki" if gpu else "257000000Ki",
            labels=labels,
            taints=taints,
            unschedulable=bool(gpu),
            gpu=gpu,
        )
    )
N = [n["metadata"]["name"] for n in nodes]
ns = "research"
ns_objs = [namespace(n) for n in ("kube-system", "default", "gpu-operator", ns)]
tol = [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}]
jspec = pod_spec(
    [
        container(
            "train",
            "nvcr.io/nvidia/pytorch:24.10-py3",
            None,
            {"cpu": "32", "memory": "256Gi", "nvidia.com/gpu": "4"},
            {"memory": "320Gi", "nvidia.com/gpu": "4"},
            args=[
                "torchrun",
                "--nproc-per-node=4",
                "finetune.py",
                "--config",
                "configs/llama-8b-lora.yaml",
            ],
        )
    ],
    tolerations=tol,
)
jspec["restartPolicy"] = "Never"
msg = (
    "0/5 nodes are available: 2 node(s) were unschedulable, 3 Insufficient nvidia.com/gpu. preemption: 0/5 nodes are "
    "available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
)
pname = "lora-llama-8b-r7-8k2vd"
jl = {
    "batch.kubernetes.io/job-name": "lora-llama-8b-r7",
    "job-name": "lora-llama-8b-r7",
    "app": "lora-llama-8b",
}
pending = pod(
    ns,
    pname,
    jl,
    jspec,
    ("Job", "lora-llama-8b-r7"),
    "2026-12-11T08:02:40Z",
    phase="Pending",
    sched_msg=msg,
)
# A pod started before the cordon keeps running: cordon does not evict.
rspec = pod_spec(
    [
        container(
            "serve",
            "vllm/vllm-openai:v0.11.0",
            8000,
            {"cpu": "16", "memory": "128Gi", "nvidia.com/gpu": "2"},
            {"memory": "160Gi", "nvidia.com/gpu": "2"},
            args=["--model", "meta-llama/Llama-3.1-8B-Instruct", "--tensor-parallel-size", "2"],
            probe_path="/health",
        )
    ],
    tolerations=tol,
)
rlab = {"app": "llama-eval-server"}
rrs = "6c9d8b7f54"
rl = {**rlab, "pod-template-hash": rrs}
rpod = pod(
    ns,
    f"llama-eval-server-{rrs}-p2x8c",
    rl,
    rspec,
    ("ReplicaSet", f"llama-eval-server-{rrs}"),
    "2026-12-09T12:00:00Z",
    node=N[0],
)
clab = {"app": "label-studio"}
cspec = pod_spec(
    [
        container(
            "app",
            "heartexlabs/label-studio:1.14.0",
            8080,
            {"cpu": "1", "memory": "2Gi"},
            {"memory": "4Gi"},
            probe_path="/health",
        )
    ]
)
crs = "7d5b9c8f46"
cl = {**clab, "pod-template-hash": crs}
cpods = [
    pod(
        ns,
        f"label-studio-{crs}-{s}",
        cl,
        cspec,
        ("ReplicaSet", f"label-studio-{crs}"),
        "2026-12-01T09:00:00Z",
        node=N[2 + i],
    )
    for i, s in enumerate(("h4m2z", "r8t5q"))
]
job = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {
        "name": "lora-llama-8b-r7",
        "namespace": ns,
        "creationTimestamp": "2026-12-11T08:02:40Z",
        "uid": uid("Job", ns, "lora-llama-8b-r7"),
        "labels": {"app": "lora-llama-8b"},
    },
    "spec": {
        "backoffLimit": 0,
        "completions": 1,
        "parallelism": 1,
        "template": {"metadata": {"labels": {"app": "lora-llama-8b"}}, "spec": jspec},
    },
    "status": {
        "startTime": "2026-12-11T08:02:40Z",
        "active": 1,
        "ready": 0,
        "terminating": 0,
        "uncountedTerminatedPods": {},
    },
}
work = [
    job,
    deployment(ns, "llama-eval-server", rlab, rspec, 1, "2026-11-02T10:00:00Z", rrs, generation=3),
    replicaset(ns, "llama-eval-server", rrs, rlab, rspec, 1, "2026-12-09T12:00:00Z", revision=3),
    deployment(ns, "label-studio", clab, cspec, 2, "2026-10-01T10:00:00Z", crs, generation=4),
    replicaset(ns, "label-studio", crs, clab, cspec, 2, "2026-12-01T09:00:00Z", revision=4),
    service(
        ns,
        "label-studio",
        clab,
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-10-01T10:00:00Z",
    ),
]
events = [
    event(
        ns,
        "Job",
        "lora-llama-8b-r7",
        "SuccessfulCreate",
        f"Created pod: {pname}",
        "2026-12-11T08:02:40Z",
        component="job-controller",
        api="batch/v1",
    ),
    sched_event(ns, pname, msg, "2026-12-11T08:02:40Z", "2026-12-11T10:17:55Z", 27),
    event(
        "default",
        "Node",
        N[0],
        "NodeNotSchedulable",
        f"Node {N[0]} status is now: NodeNotSchedulable",
        "2026-12-10T21:02:11Z",
        component="kubelet",
    ),
    event(
        "default",
        "Node",
        N[1],
        "NodeNotSchedulable",
        f"Node {N[1]} status is now: NodeNotSchedulable",
        "2026-12-10T21:02:14Z",
        component="kubelet",
    ),
    event(
        "gpu-operator",
        "Pod",
        "nvidia-driver-daemonset-9xk2p",
        "Started",
        "Started container nvidia-driver-ctr",
        "2026-12-10T21:40:05Z",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        cpods[0]["metadata"]["name"],
        "Pulled",
        'Container image "heartexlabs/label-studio:1.14.0" already present on machine',
        "2026-12-01T09:00:04Z",
        component="kubelet",
    ),
]
incident = {
    "id": ID,
    "title": "LoRA fine-tune Pending for two hours: both A100 nodes were cordoned for last night's driver upgrade and never uncordoned",
    "time": NOW,
    "question": "the lora-llama-8b-r7 training job in research has been pending since 8am. we have two A100 nodes with free GPUs, why doesn't it schedule?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "Pod lora-llama-8b-r7-8k2vd requests 4 nvidia.com/gpu; the only nodes with GPUs (a100-node-1, a100-node-2) are cordoned (SchedulingDisabled, node.kubernetes.io/unschedulable) and the other nodes have no GPU, so it stays Pending.",
        "must_mention": [["cordon|unschedulable|SchedulingDisabled"], ["a100-node"]],
        "remediation_must_mention": [["uncordon"]],
        "runbook": "pending-untolerated-taint",
    },
    "tags": ["kubernetes", "scheduling", "gpu", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": [pending, rpod, *cpods],
        "workloads.yaml": work,
        "events.yaml": events,
    },
)
