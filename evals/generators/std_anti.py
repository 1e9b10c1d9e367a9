import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-10-14T09:42:00Z"
ID = "pending-anti-affinity-triton-more-replicas-than-gpu-nodes"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
created = "2026-09-20T08:00:00Z"
gpu_nodes = [
    f"ip-10-60-{z}-{n}.us-east-2.compute.internal"
    for z, n in ((11, 37), (12, 152), (13, 9), (11, 204))
]
zones = ["us-east-2a", "us-east-2b", "us-east-2c", "us-east-2a"]
gen_nodes = [
    f"ip-10-60-{z}-{n}.us-east-2.compute.internal" for z, n in ((21, 15), (22, 88), (23, 141))
]
nodes = []
for name, zone in zip(gpu_nodes, zones, strict=False):
    nodes.append(
        node(
            name,
            zone,
            "g5.4xlarge",
            "2026-09-18T02:10:00Z",
            NOW,
            cpu="16",
            mem_ki=65023012,
            alloc_cpu="15890m",
            alloc_mem="61849636Ki",
            gpu=1,
            labels={
                "eks.amazonaws.com/nodegroup": "gpu-a10g",
                "eks.amazonaws.com/capacityType": "ON_DEMAND",
                "nvidia.com/gpu.present": "true",
                "nvidia.com/gpu.product": "NVIDIA-A10G",
                "nvidia.com/gpu.count": "1",
                "workload-class": "gpu-inference",
            },
            taints=[{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
        )
    )
for name, zone in zip(gen_nodes, ["us-east-2a", "us-east-2b", "us-east-2c"], strict=False):
    nodes.append(
        node(
            name,
            zone,
            "m6i.2xlarge",
            "2026-09-18T02:05:00Z",
            NOW,
            labels={
                "eks.amazonaws.com/nodegroup": "general-m6i",
                "eks.amazonaws.com/capacityType": "ON_DEMAND",
                "workload-class": "general",
            },
        )
    )
ns_objs = [
    namespace(n) for n in ("kube-system", "default", "inference", "monitoring", "gpu-operator")
]
ns = "inference"
lab = {
    "app": "triton-ensemble",
    "app.kubernetes.io/name": "triton-ensemble",
    "app.kubernetes.io/part-of": "chat-platform",
}
aff = {
    "podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {
                "labelSelector": {"matchLabels": {"app": "triton-ensemble"}},
                "topologyKey": "kubernetes.io/hostname",
            }
        ]
    }
}
tspec = pod_spec(
    [
        container(
            "triton",
            "nvcr.io/nvidia/tritonserver:25.08-py3",
            8000,
            {"cpu": "4", "memory": "24Gi", "nvidia.com/gpu": "1"},
            {"memory": "28Gi", "nvidia.com/gpu": "1"},
            args=[
                "tritonserver",
                "--model-repository=s3://models-prod/ensemble",
                "--http-port=8000",
                "--grpc-port=8001",
            ],
            probe_path="/v2/health/ready",
        )
    ],
    node_selector={"workload-class": "gpu-inference"},
    affinity=aff,
    tolerations=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}],
)
rs = "6c9f7d8b54"
pods = []
names = [
    "triton-ensemble-6c9f7d8b54-2xkqp",
    "triton-ensemble-6c9f7d8b54-7hvzn",
    "triton-ensemble-6c9f7d8b54-dm4tc",
    "triton-ensemble-6c9f7d8b54-qw9lr",
    "triton-ensemble-6c9f7d8b54-x5rjf",
]
plab = dict(lab)
plab["pod-template-hash"] = rs
msg = (
    "0/7 nodes are available: 3 node(s) didn't match Pod's node affinity/selector, 4 node(s) didn't match pod anti-affinity rules. "
    "preemption: 0/7 nodes are available: 3 Preemption is not helpful for scheduling, 4 No preemption victims found for incoming pod."
)
for i, n in enumerate(names[:4]):
    pods.append(
        pod(
            ns,
            n,
            plab,
            tspec,
            ("ReplicaSet", f"triton-ensemble-{rs}"),
            "2026-10-09T11:20:%02dZ" % (i * 7),
            node=gpu_nodes[i],
        )
    )
pods.append(
    pod(
        ns,
        names[4],
        plab,
        tspec,
        ("ReplicaSet", f"triton-ensemble-{rs}"),
        "2026-10-14T09:03:11Z",
        phase="Pending",
        sched_msg=msg,
    )
)
# noise: healthy workloads
glab = {
    "app": "chat-gateway",
    "app.kubernetes.io/name": "chat-gateway",
    "app.kubernetes.io/part-of": "chat-platform",
}
gspec = pod_spec(
    [
        container(
            "gateway",
            "ghcr.io/acme/chat-gateway:2.14.1",
            8080,
            {"cpu": "500m", "memory": "512Mi"},
            {"memory": "1Gi"},
            probe_path="/healthz",
        )
    ],
    node_selector={"workload-class": "general"},
)
grs = "58d6f9c7b8"
gl = dict(glab)
gl["pod-template-hash"] = grs
gpods = [
    pod(
        ns,
        f"chat-gateway-{grs}-{s}",
        gl,
        gspec,
        ("ReplicaSet", f"chat-gateway-{grs}"),
        "2026-10-01T07:14:0%dZ" % i,
        node=gen_nodes[i],
    )
    for i, s in enumerate(("hk2vd", "p8wzt", "t4m6q"))
]
rlab = {"app": "redis-cache", "app.kubernetes.io/name": "redis-cache"}
rspec = pod_spec(
    [
        container(
            "redis", "redis:7.4.1-alpine", 6379, {"cpu": "250m", "memory": "1Gi"}, {"memory": "1Gi"}
        )
    ]
)
rrs = "7b5d4c9f6d"
rl = dict(rlab)
rl["pod-template-hash"] = rrs
rpods = [
    pod(
        ns,
        f"redis-cache-{rrs}-mv8sx",
        rl,
        rspec,
        ("ReplicaSet", f"redis-cache-{rrs}"),
        "2026-09-25T16:40:00Z",
        node=gen_nodes[1],
    )
]
mlab = {"app.kubernetes.io/name": "dcgm-exporter"}
mpods = [
    pod(
        "gpu-operator",
        f"nvidia-dcgm-exporter-{s}",
        mlab,
        pod_spec(
            [
                container(
                    "nvidia-dcgm-exporter",
                    "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04",
                    9400,
                    {"cpu": "100m", "memory": "128Mi"},
                )
            ],
            tolerations=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}],
        ),
        None,
        "2026-09-18T02:15:00Z",
        node=gpu_nodes[i],
    )
    for i, s in enumerate(("4cxbn", "9q2lm", "kd7wf", "tz5hp"))
]
for p in mpods:
    p["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "apps/v1",
            "blockOwnerDeletion": True,
            "controller": True,
            "kind": "DaemonSet",
            "name": "nvidia-dcgm-exporter",
            "uid": uid("ds", "dcgm"),
        }
    ]
workloads = [
    deployment(
        ns,
        "triton-ensemble",
        lab,
        tspec,
        5,
        "2026-09-20T08:00:00Z",
        rs,
        generation=7,
        status={
            "availableReplicas": 4,
            "readyReplicas": 4,
            "replicas": 5,
            "updatedReplicas": 5,
            "unavailableReplicas": 1,
        },
        conditions=[
            {
                "lastTransitionTime": "2026-10-14T09:03:11Z",
                "lastUpdateTime": "2026-10-14T09:03:11Z",
                "message": "Deployment does not have minimum availability.",
                "reason": "MinimumReplicasUnavailable",
                "status": "False",
                "type": "Available",
            },
            {
                "lastTransitionTime": "2026-10-09T11:20:00Z",
                "lastUpdateTime": "2026-10-09T11:21:40Z",
                "message": 'ReplicaSet "triton-ensemble-6c9f7d8b54" has successfully progressed.',
                "reason": "NewReplicaSetAvailable",
                "status": "True",
                "type": "Progressing",
            },
        ],
    ),
    replicaset(
        ns, "triton-ensemble", rs, lab, tspec, 5, "2026-10-09T11:20:00Z", ready=4, revision=7
    ),
    deployment(ns, "chat-gateway", glab, gspec, 3, "2026-08-11T10:00:00Z", grs, generation=12),
    replicaset(ns, "chat-gateway", grs, glab, gspec, 3, "2026-10-01T07:14:00Z", revision=12),
    deployment(ns, "redis-cache", rlab, rspec, 1, "2026-07-02T10:00:00Z", rrs, generation=2),
    replicaset(ns, "redis-cache", rrs, rlab, rspec, 1, "2026-09-25T16:40:00Z", revision=2),
    {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": "triton-ensemble",
            "namespace": ns,
            "creationTimestamp": "2026-09-20T08:00:00Z",
            "uid": uid("hpa", ns),
        },
        "spec": {
            "maxReplicas": 6,
            "minReplicas": 2,
            "metrics": [
                {
                    "type": "Pods",
                    "pods": {
                        "metric": {"name": "nv_inference_queue_duration_us_per_request"},
                        "target": {"type": "AverageValue", "averageValue": "50k"},
                    },
                }
            ],
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": "triton-ensemble",
            },
        },
        "status": {
            "currentReplicas": 4,
            "desiredReplicas": 5,
            "lastScaleTime": "2026-10-14T09:03:10Z",
            "conditions": [
                {
                    "type": "AbleToScale",
                    "status": "True",
                    "reason": "ReadyForNewScale",
                    "message": "recommended size matches current size",
                    "lastTransitionTime": "2026-10-14T09:03:10Z",
                },
                {
                    "type": "ScalingActive",
                    "status": "True",
                    "reason": "ValidMetricFound",
                    "message": "the HPA was able to successfully calculate a replica count from pods metric nv_inference_queue_duration_us_per_request",
                    "lastTransitionTime": "2026-09-20T08:01:00Z",
                },
                {
                    "type": "ScalingLimited",
                    "status": "False",
                    "reason": "DesiredWithinRange",
                    "message": "the desired count is within the acceptable range",
                    "lastTransitionTime": "2026-10-14T08:20:00Z",
                },
            ],
            "currentMetrics": [
                {
                    "type": "Pods",
                    "pods": {
                        "metric": {"name": "nv_inference_queue_duration_us_per_request"},
                        "current": {"averageValue": "71340"},
                    },
                }
            ],
        },
    },
    service(
        ns,
        "triton-ensemble",
        {"app": "triton-ensemble"},
        [
            {"name": "http", "port": 8000, "protocol": "TCP", "targetPort": 8000},
            {"name": "grpc", "port": 8001, "protocol": "TCP", "targetPort": 8001},
        ],
        created,
    ),
    endpointslice(ns, "triton-ensemble", pods[:4], 8000, created=created),
    service(
        ns,
        "chat-gateway",
        {"app": "chat-gateway"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-08-11T10:00:00Z",
    ),
    endpointslice(ns, "chat-gateway", gpods, 8080, created="2026-08-11T10:00:00Z"),
    service(
        ns,
        "redis-cache",
        {"app": "redis-cache"},
        [{"name": "redis", "port": 6379, "protocol": "TCP", "targetPort": 6379}],
        "2026-07-02T10:00:00Z",
    ),
]
events = [
    event(
        ns,
        "HorizontalPodAutoscaler",
        "triton-ensemble",
        "SuccessfulRescale",
        "New size: 5; reason: pods metric nv_inference_queue_duration_us_per_request above target",
        "2026-10-14T09:03:10Z",
        component="horizontal-pod-autoscaler",
        api="autoscaling/v2",
    ),
    event(
        ns,
        "Deployment",
        "triton-ensemble",
        "ScalingReplicaSet",
        "Scaled up replica set triton-ensemble-6c9f7d8b54 from 4 to 5",
        "2026-10-14T09:03:10Z",
        component="deployment-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "ReplicaSet",
        f"triton-ensemble-{rs}",
        "SuccessfulCreate",
        f"Created pod: {names[4]}",
        "2026-10-14T09:03:11Z",
        component="replicaset-controller",
        api="apps/v1",
    ),
    sched_event(ns, names[4], msg, "2026-10-14T09:03:11Z", "2026-10-14T09:38:27Z", 9),
    event(
        ns,
        "Pod",
        gpods[1]["metadata"]["name"],
        "Pulled",
        'Container image "ghcr.io/acme/chat-gateway:2.14.1" already present on machine',
        "2026-10-14T09:12:40Z",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        rpods[0]["metadata"]["name"],
        "Unhealthy",
        "Readiness probe failed: dial tcp 10.40.31.20:6379: i/o timeout",
        "2026-10-14T08:51:02Z",
        etype="Warning",
        component="kubelet",
    ),
    event(
        "gpu-operator",
        "Pod",
        mpods[2]["metadata"]["name"],
        "Pulled",
        'Container image "nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04" already present on machine',
        "2026-10-14T07:02:11Z",
        component="kubelet",
    ),
]
incident = {
    "id": ID,
    "title": "triton-ensemble scaled to 5 by its HPA; the fifth pod stays Pending: hostname anti-affinity allows one per GPU node and there are 4",
    "time": NOW,
    "question": "why is one of the triton-ensemble pods in namespace inference stuck in Pending since the autoscaler scaled it up?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "triton-ensemble requires podAntiAffinity app=triton-ensemble per kubernetes.io/hostname and its nodeSelector workload-class=gpu-inference admits 4 GPU nodes, each already running a replica; the 5th replica has no node (4 node(s) didn't match pod anti-affinity rules).",
        "must_mention": [
            ["anti-?affinity"],
            ["hostname|per node|one such pod per node"],
            ["4 node|every one of the 4|already runs"],
        ],
        "remediation_must_mention": [["preferred|replicas=4|scale|add a node|node group"]],
        "runbook": "pending-placement-constraints",
    },
    "tags": ["kubernetes", "scheduling", "pending", "affinity", "gpu", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": pods + gpods + rpods + mpods,
        "workloads.yaml": workloads,
        "events.yaml": events,
    },
)
