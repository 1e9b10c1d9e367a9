import copy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-06T11:05:00Z"
ID = "node-disk-pressure-evicts-vllm-model-cache"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
G1, G2, C1 = (
    "ip-10-20-7-14.us-east-2.compute.internal",
    "ip-10-20-8-203.us-east-2.compute.internal",
    "ip-10-20-4-66.us-east-2.compute.internal",
)
gl = {
    "eks.amazonaws.com/nodegroup": "gpu-l40s",
    "nvidia.com/gpu.present": "true",
    "nvidia.com/gpu.product": "NVIDIA-L40S",
    "nvidia.com/gpu.count": "4",
}
gt = [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]
n1 = node(
    G1,
    "us-east-2a",
    "g6e.12xlarge",
    "2026-11-30T06:00:00Z",
    NOW,
    cpu="48",
    alloc_cpu="47810m",
    mem_ki=390000000,
    alloc_mem="380000000Ki",
    gpu=4,
    labels=gl,
    taints=[
        *gt,
        {
            "key": "node.kubernetes.io/disk-pressure",
            "effect": "NoSchedule",
            "timeAdded": "2026-12-06T10:31:52Z",
        },
    ],
    pressure={"DiskPressure": "2026-12-06T10:31:52Z"},
)
n2 = node(
    G2,
    "us-east-2b",
    "g6e.12xlarge",
    "2026-11-30T06:00:00Z",
    NOW,
    cpu="48",
    alloc_cpu="47810m",
    mem_ki=390000000,
    alloc_mem="380000000Ki",
    gpu=4,
    labels=gl,
    taints=gt,
)
n3 = node(
    C1,
    "us-east-2a",
    "m7i.2xlarge",
    "2026-11-30T06:00:00Z",
    NOW,
    labels={"eks.amazonaws.com/nodegroup": "general"},
)
nodes = [n1, n2, n3]
ns = "llm"
ns_objs = [namespace(n) for n in ("kube-system", "default", ns, "gpu-operator")]
lab = {"app": "vllm-mixtral", "app.kubernetes.io/name": "vllm-mixtral"}
c = container(
    "vllm",
    "vllm/vllm-openai:v0.11.0",
    8000,
    {"cpu": "8", "memory": "96Gi", "nvidia.com/gpu": "2"},
    {"memory": "120Gi", "nvidia.com/gpu": "2"},
    args=[
        "--model",
        "mistralai/Mixtral-8x7B-Instruct-v0.1",
        "--tensor-parallel-size",
        "2",
        "--download-dir",
        "/models",
    ],
    env=[{"name": "HF_HOME", "value": "/models/hf"}],
    probe_path="/health",
)
spec = pod_spec(
    [c], tolerations=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}]
)
spec["volumes_extra"] = None
rs = "6d9f8c7b54"
pl = dict(lab)
pl["pod-template-hash"] = rs
ev_msg = (
    "The node was low on resource: ephemeral-storage. Threshold quantity: 19236596Ki, available: 12883712Ki. "
    "Container vllm was using 91443812Ki, request is 0, has larger consumption of ephemeral-storage. "
)
evicted = pod(
    ns,
    f"vllm-mixtral-{rs}-t8v2k",
    pl,
    spec,
    ("ReplicaSet", f"vllm-mixtral-{rs}"),
    "2026-12-06T09:40:00Z",
    node=G1,
)
evicted["spec"].pop("volumes_extra", None)
evicted["spec"]["volumes"].append({"name": "models", "emptyDir": {}})
evicted["spec"]["containers"][0]["volumeMounts"].append({"mountPath": "/models", "name": "models"})
evicted["status"] = {
    "message": ev_msg,
    "phase": "Failed",
    "reason": "Evicted",
    "startTime": "2026-12-06T09:40:00Z",
    "hostIP": "10.20.7.14",
    "hostIPs": [{"ip": "10.20.7.14"}],
    "conditions": [
        {
            "type": "DisruptionTarget",
            "status": "True",
            "reason": "TerminationByKubelet",
            "message": ev_msg,
            "lastProbeTime": None,
            "lastTransitionTime": "2026-12-06T10:32:04Z",
        },
        {
            "type": "Ready",
            "status": "False",
            "reason": "PodFailed",
            "lastProbeTime": None,
            "lastTransitionTime": "2026-12-06T10:32:34Z",
        },
        {
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": "2026-12-06T09:40:00Z",
        },
    ],
    "containerStatuses": [
        {
            "name": "vllm",
            "image": c["image"],
            "imageID": "",
            "ready": False,
            "restartCount": 0,
            "started": False,
            "lastState": {},
            "state": {
                "terminated": {
                    "exitCode": 137,
                    "reason": "ContainerStatusUnknown",
                    "message": "The container could not be located when the pod was terminated",
                    "startedAt": "2026-12-06T09:41:10Z",
                    "finishedAt": "2026-12-06T10:32:34Z",
                }
            },
        }
    ],
    "qosClass": "Burstable",
}
running = []
for s, n, t in (("4qzpw", G2, "2026-12-05T09:00:00Z"), ("m2c8r", G2, "2026-12-06T10:32:05Z")):
    p = pod(ns, f"vllm-mixtral-{rs}-{s}", pl, spec, ("ReplicaSet", f"vllm-mixtral-{rs}"), t, node=n)
    p["spec"].pop("volumes_extra", None)
    p["spec"]["volumes"].append({"name": "models", "emptyDir": {}})
    running.append(p)
elab = {"app": "embedder"}
espec = pod_spec(
    [
        container(
            "embedder",
            "ghcr.io/acme/embedder:0.9.1",
            8080,
            {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"},
            {"memory": "8Gi", "nvidia.com/gpu": "1"},
            probe_path="/healthz",
        )
    ],
    tolerations=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}],
)
ers = "58c7d9b6f4"
el = dict(elab)
el["pod-template-hash"] = ers
epods = [
    pod(
        ns,
        f"embedder-{ers}-x9d3m",
        el,
        espec,
        ("ReplicaSet", f"embedder-{ers}"),
        "2026-12-01T10:00:00Z",
        node=G1,
    )
]
mspec = copy.deepcopy(spec)
mspec.pop("volumes_extra", None)
work = [
    deployment(ns, "vllm-mixtral", lab, mspec, 2, "2026-11-01T10:00:00Z", rs, generation=5),
    replicaset(ns, "vllm-mixtral", rs, lab, mspec, 2, "2026-12-05T09:00:00Z", revision=5),
    deployment(ns, "embedder", elab, espec, 1, "2026-10-01T10:00:00Z", ers, generation=2),
    replicaset(ns, "embedder", ers, elab, espec, 1, "2026-12-01T10:00:00Z", revision=2),
    service(
        ns,
        "vllm-mixtral",
        lab,
        [{"name": "http", "port": 8000, "protocol": "TCP", "targetPort": 8000}],
        "2026-11-01T10:00:00Z",
    ),
    endpointslice(ns, "vllm-mixtral", running[:1], 8000, created="2026-11-01T10:00:00Z"),
]
events = [
    event(
        "default",
        "Node",
        G1,
        "EvictionThresholdMet",
        "Attempting to reclaim ephemeral-storage",
        "2026-12-06T10:31:52Z",
        "2026-12-06T10:58:13Z",
        4,
        "Warning",
        "kubelet",
    ),
    event(
        "default",
        "Node",
        G1,
        "NodeHasDiskPressure",
        f"Node {G1} status is now: NodeHasDiskPressure",
        "2026-12-06T10:31:52Z",
        component="kubelet",
    ),
    event(
        "default",
        "Node",
        G1,
        "FreeDiskSpaceFailed",
        "Failed to garbage collect required amount of images. Attempted to free 21474836480 bytes, but only found 3221225472 bytes eligible to free.",
        "2026-12-06T10:36:40Z",
        "2026-12-06T11:01:40Z",
        6,
        "Warning",
        "kubelet",
    ),
    event(
        ns,
        "Pod",
        evicted["metadata"]["name"],
        "Evicted",
        ev_msg,
        "2026-12-06T10:32:04Z",
        etype="Warning",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        evicted["metadata"]["name"],
        "Killing",
        "Stopping container vllm",
        "2026-12-06T10:32:04Z",
        component="kubelet",
    ),
    event(
        ns,
        "ReplicaSet",
        f"vllm-mixtral-{rs}",
        "SuccessfulCreate",
        f"Created pod: {running[1]['metadata']['name']}",
        "2026-12-06T10:32:05Z",
        component="replicaset-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "Pod",
        running[1]["metadata"]["name"],
        "Pulled",
        'Container image "vllm/vllm-openai:v0.11.0" already present on machine',
        "2026-12-06T10:32:09Z",
        component="kubelet",
    ),
]
incident = {
    "id": ID,
    "title": "vLLM pod evicted: it downloads Mixtral into an emptyDir without limits and pushes its GPU node into DiskPressure",
    "time": NOW,
    "question": "why was a vllm-mixtral pod in llm evicted this morning?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "Node ip-10-20-7-14 went into DiskPressure; the kubelet evicted vllm-mixtral-6d9f8c7b54-t8v2k, whose container vllm used ~87Gi of ephemeral storage (the model download in an emptyDir) with no ephemeral-storage request or limit.",
        "must_mention": [
            ["DiskPressure|disk pressure"],
            ["ip-10-20-7-14"],
            ["ephemeral"],
            ["vllm"],
        ],
        "remediation_must_mention": [["ephemeral-storage|sizeLimit|PersistentVolume"]],
        "runbook": "node-pressure",
    },
    "tags": ["kubernetes", "node", "eviction", "gpu", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": [evicted, *running, *epods],
        "workloads.yaml": work,
        "events.yaml": events,
    },
)
