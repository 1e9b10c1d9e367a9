"""HTTPRoute whose backend Service lives in another namespace with no ReferenceGrant there:
the Gateway accepts the route but reports ResolvedRefs=False (RefNotPermitted) and answers 500.
Noise: a healthy route and backend, GPU workloads, unrelated events."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-09T13:10:00Z"
ID = "httproute-backend-ref-not-permitted-tei-embed"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"ip-10-80-{a}-{b}.us-west-2.compute.internal",
        z,
        it,
        "2026-11-28T06:00:00Z",
        NOW,
        labels={"karpenter.sh/nodepool": pool, "karpenter.sh/capacity-type": "on-demand"},
        gpu=g,
        cpu="48" if g else "8",
        alloc_cpu="47810m" if g else "7910m",
        taints=[{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}] if g else None,
    )
    for a, b, z, it, pool, g in (
        (10, 21, "us-west-2a", "g6e.12xlarge", "gpu", 4),
        (20, 64, "us-west-2b", "m7i.2xlarge", "general", None),
        (30, 117, "us-west-2c", "m7i.2xlarge", "general", None),
    )
]
N = [n["metadata"]["name"] for n in nodes]
ns_objs = [
    namespace(n)
    for n in (
        "kube-system",
        "default",
        "envoy-gateway-system",
        "infra-gateway",
        "serving",
        "edge",
        "ml-serving",
        "observability",
    )
]
lab = {"app": "vllm-qwen", "app.kubernetes.io/name": "vllm-qwen"}
spec = pod_spec(
    [
        container(
            "vllm",
            "vllm/vllm-openai:v0.11.0",
            8000,
            {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": "2"},
            {"memory": "80Gi", "nvidia.com/gpu": "2"},
            args=[
                "--model",
                "Qwen/Qwen2.5-32B-Instruct",
                "--tensor-parallel-size",
                "2",
                "--max-model-len",
                "16384",
            ],
            probe_path="/health",
        )
    ],
    tolerations=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}],
)
rs = "7b9c6d5f48"
pl = dict(lab)
pl["pod-template-hash"] = rs
vp = [
    pod(
        "serving",
        f"vllm-qwen-{rs}-{s}",
        pl,
        spec,
        ("ReplicaSet", f"vllm-qwen-{rs}"),
        "2026-12-02T17:00:00Z",
        node=N[0],
    )
    for s in ("c8r2k", "n5w7d")
]
elab = {
    "app.kubernetes.io/name": "envoy",
    "app.kubernetes.io/component": "proxy",
    "gateway.envoyproxy.io/owning-gateway-name": "public",
    "gateway.envoyproxy.io/owning-gateway-namespace": "infra-gateway",
}
espec = pod_spec(
    [
        container(
            "envoy",
            "docker.io/envoyproxy/envoy:distroless-v1.35.1",
            10080,
            {"cpu": "100m", "memory": "512Mi"},
            {"memory": "1Gi"},
        )
    ]
)
ers = "6f8d7c9b5a"
el = dict(elab)
el["pod-template-hash"] = ers
ep = [
    pod(
        "envoy-gateway-system",
        f"envoy-infra-gateway-public-3a6f1c2e-{ers}-{s}",
        el,
        espec,
        ("ReplicaSet", f"envoy-infra-gateway-public-3a6f1c2e-{ers}"),
        "2026-11-28T07:00:00Z",
        node=N[i + 1],
    )
    for i, s in enumerate(("h2x9p", "v4k8t"))
]
glab = {"app": "grafana", "app.kubernetes.io/name": "grafana"}
gspec = pod_spec(
    [
        container(
            "grafana",
            "grafana/grafana:12.2.0",
            3000,
            {"cpu": "200m", "memory": "512Mi"},
            {"memory": "1Gi"},
            probe_path="/api/health",
        )
    ]
)
grs = "5d7c8b9f46"
gl = dict(glab)
gl["pod-template-hash"] = grs
gp = [
    pod(
        "infra-gateway",
        f"grafana-{grs}-q7m3x",
        gl,
        gspec,
        ("ReplicaSet", f"grafana-{grs}"),
        "2026-11-28T07:00:00Z",
        node=N[1],
    )
]
work = [
    deployment("serving", "vllm-qwen", lab, spec, 2, "2026-12-02T17:00:00Z", rs, generation=2),
    replicaset("serving", "vllm-qwen", rs, lab, spec, 2, "2026-12-02T17:00:00Z", revision=2),
    deployment(
        "envoy-gateway-system",
        "envoy-infra-gateway-public-3a6f1c2e",
        elab,
        espec,
        2,
        "2026-11-28T07:00:00Z",
        ers,
    ),
    replicaset(
        "envoy-gateway-system",
        "envoy-infra-gateway-public-3a6f1c2e",
        ers,
        elab,
        espec,
        2,
        "2026-11-28T07:00:00Z",
    ),
    deployment("infra-gateway", "grafana", glab, gspec, 1, "2026-11-28T07:00:00Z", grs),
    replicaset("infra-gateway", "grafana", grs, glab, gspec, 1, "2026-11-28T07:00:00Z"),
    service(
        "serving",
        "vllm-qwen",
        {"app": "vllm-qwen"},
        [{"name": "http", "port": 8000, "protocol": "TCP", "targetPort": 8000}],
        "2026-12-02T17:00:00Z",
    ),
    endpointslice("serving", "vllm-qwen", vp, 8000, created="2026-12-02T17:00:00Z"),
    service(
        "infra-gateway",
        "grafana",
        {"app": "grafana"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 3000}],
        "2026-11-28T07:00:00Z",
    ),
    endpointslice("infra-gateway", "grafana", gp, 3000, created="2026-11-28T07:00:00Z"),
]
G = "gateway.networking.k8s.io/v1"
gwc = {
    "apiVersion": G,
    "kind": "GatewayClass",
    "metadata": {"name": "eg", "creationTimestamp": "2026-06-01T00:00:00Z", "uid": uid("gc", "eg")},
    "spec": {"controllerName": "gateway.envoyproxy.io/gatewayclass-controller"},
    "status": {
        "conditions": [
            {
                "type": "Accepted",
                "status": "True",
                "reason": "Accepted",
                "message": "Valid GatewayClass",
                "lastTransitionTime": "2026-06-01T00:00:10Z",
                "observedGeneration": 1,
            }
        ]
    },
}
gw = {
    "apiVersion": G,
    "kind": "Gateway",
    "metadata": {
        "name": "public",
        "namespace": "infra-gateway",
        "creationTimestamp": "2026-06-01T00:00:00Z",
        "generation": 3,
        "uid": uid("gw", "public"),
    },
    "spec": {
        "gatewayClassName": "eg",
        "listeners": [
            {
                "name": "https",
                "port": 443,
                "protocol": "HTTPS",
                "hostname": "*.acme.ai",
                "allowedRoutes": {"namespaces": {"from": "All"}},
                "tls": {
                    "mode": "Terminate",
                    "certificateRefs": [{"kind": "Secret", "name": "wildcard-acme-ai"}],
                },
            },
            {
                "name": "http",
                "port": 80,
                "protocol": "HTTP",
                "hostname": "*.acme.ai",
                "allowedRoutes": {"namespaces": {"from": "All"}},
            },
        ],
    },
    "status": {
        "addresses": [
            {"type": "Hostname", "value": "a1b2c3d4e5f6-1234567890.us-west-2.elb.amazonaws.com"}
        ],
        "conditions": [
            {
                "type": "Accepted",
                "status": "True",
                "reason": "Accepted",
                "message": "The Gateway has been scheduled by Envoy Gateway",
                "lastTransitionTime": "2026-06-01T00:00:20Z",
                "observedGeneration": 3,
            },
            {
                "type": "Programmed",
                "status": "True",
                "reason": "Programmed",
                "message": "Address assigned to the Gateway, 2/2 envoy replicas available",
                "lastTransitionTime": "2026-11-28T07:01:00Z",
                "observedGeneration": 3,
            },
        ],
        "listeners": [
            {
                "name": "https",
                "attachedRoutes": 2,
                "supportedKinds": [
                    {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"},
                    {"group": "gateway.networking.k8s.io", "kind": "GRPCRoute"},
                ],
                "conditions": [
                    {
                        "type": "Programmed",
                        "status": "True",
                        "reason": "Programmed",
                        "message": "Sending translated listener configuration to the data plane",
                        "lastTransitionTime": "2026-11-28T07:01:00Z",
                        "observedGeneration": 3,
                    }
                ],
            },
            {
                "name": "http",
                "attachedRoutes": 2,
                "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
                "conditions": [
                    {
                        "type": "Programmed",
                        "status": "True",
                        "reason": "Programmed",
                        "message": "Sending translated listener configuration to the data plane",
                        "lastTransitionTime": "2026-11-28T07:01:00Z",
                        "observedGeneration": 3,
                    }
                ],
            },
        ],
    },
}


def route(ns, name, host, backend, port, accepted, created, backend_ns=None):
    cond = (
        [
            {
                "type": "Accepted",
                "status": "True",
                "reason": "Accepted",
                "message": "Route is accepted",
                "lastTransitionTime": created,
                "observedGeneration": 1,
            },
            {
                "type": "ResolvedRefs",
                "status": "True",
                "reason": "ResolvedRefs",
                "message": "Resolved all the Object references for the Route",
                "lastTransitionTime": created,
                "observedGeneration": 1,
            },
        ]
        if accepted
        else [
            {
                "type": "Accepted",
                "status": "True",
                "reason": "Accepted",
                "message": "Route is accepted",
                "lastTransitionTime": created,
                "observedGeneration": 1,
            },
            {
                "type": "ResolvedRefs",
                "status": "False",
                "reason": "RefNotPermitted",
                "message": f"Backend ref to Service {backend_ns}/{backend} not permitted by any ReferenceGrant.",
                "lastTransitionTime": created,
                "observedGeneration": 1,
            },
        ]
    )
    ref = {"group": "", "kind": "Service", "name": backend, "port": port, "weight": 1}
    if backend_ns:
        ref["namespace"] = backend_ns
    return {
        "apiVersion": G,
        "kind": "HTTPRoute",
        "metadata": {
            "name": name,
            "namespace": ns,
            "creationTimestamp": created,
            "generation": 1,
            "uid": uid("hr", ns, name),
        },
        "spec": {
            "hostnames": [host],
            "parentRefs": [
                {
                    "group": "gateway.networking.k8s.io",
                    "kind": "Gateway",
                    "name": "public",
                    "namespace": "infra-gateway",
                }
            ],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [ref],
                }
            ],
        },
        "status": {
            "parents": [
                {
                    "parentRef": {
                        "group": "gateway.networking.k8s.io",
                        "kind": "Gateway",
                        "name": "public",
                        "namespace": "infra-gateway",
                    },
                    "controllerName": "gateway.envoyproxy.io/gatewayclass-controller",
                    "conditions": cond,
                }
            ]
        },
    }


routes = [
    route("serving", "qwen-api", "qwen.acme.ai", "vllm-qwen", 8000, True, "2026-12-02T17:05:00Z"),
    route(
        "edge",
        "embeddings",
        "embed.acme.ai",
        "tei-embed",
        8080,
        False,
        "2026-12-09T11:42:00Z",
        backend_ns="ml-serving",
    ),
    route(
        "infra-gateway", "grafana", "grafana.acme.ai", "grafana", 80, True, "2026-11-28T07:00:00Z"
    ),
]
events = [
    event(
        "serving",
        "Deployment",
        "vllm-qwen",
        "ScalingReplicaSet",
        "Scaled up replica set vllm-qwen-7b9c6d5f48 from 0 to 2",
        "2026-12-02T17:00:00Z",
        component="deployment-controller",
        api="apps/v1",
    ),
    event(
        "serving",
        "Pod",
        vp[0]["metadata"]["name"],
        "Unhealthy",
        'Startup probe failed: Get "http://10.80.10.44:8000/health": dial tcp 10.80.10.44:8000: connect: connection refused',
        "2026-12-02T17:01:10Z",
        "2026-12-02T17:04:40Z",
        21,
        "Warning",
        "kubelet",
    ),
]
tlab = {"app": "tei-embed"}
tspec = pod_spec(
    [
        container(
            "tei",
            "ghcr.io/huggingface/text-embeddings-inference:1.8",
            8080,
            {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"},
            {"memory": "8Gi", "nvidia.com/gpu": "1"},
            args=["--model-id", "BAAI/bge-large-en-v1.5", "--port", "8080"],
            probe_path="/health",
        )
    ],
    tolerations=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}],
)
trs = "84d6c7b95f"
tl = {**tlab, "pod-template-hash": trs}
tp = [
    pod(
        "ml-serving",
        f"tei-embed-{trs}-{s}",
        tl,
        tspec,
        ("ReplicaSet", f"tei-embed-{trs}"),
        "2026-12-08T10:00:00Z",
        node=N[0],
    )
    for s in ("b7x2m", "t4q9w")
]
work += [
    deployment(
        "ml-serving", "tei-embed", tlab, tspec, 2, "2026-09-15T10:00:00Z", trs, generation=6
    ),
    replicaset("ml-serving", "tei-embed", trs, tlab, tspec, 2, "2026-12-08T10:00:00Z", revision=6),
    service(
        "ml-serving",
        "tei-embed",
        tlab,
        [{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": 8080}],
        "2026-09-15T10:00:00Z",
    ),
    endpointslice("ml-serving", "tei-embed", tp, 8080, created="2026-09-15T10:00:00Z"),
]
# The grant written when the route lived in serving; the route moved to edge today.
grant = {
    "apiVersion": "gateway.networking.k8s.io/v1beta1",
    "kind": "ReferenceGrant",
    "metadata": {
        "name": "allow-serving-routes",
        "namespace": "ml-serving",
        "creationTimestamp": "2026-09-15T10:05:00Z",
        "generation": 1,
        "uid": uid("rg", "ml-serving"),
    },
    "spec": {
        "from": [
            {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "serving"}
        ],
        "to": [{"group": "", "kind": "Service", "name": "tei-embed"}],
    },
}
events.append(
    event(
        "ml-serving",
        "Pod",
        tp[0]["metadata"]["name"],
        "Pulled",
        'Container image "ghcr.io/huggingface/text-embeddings-inference:1.8" already present on machine',
        "2026-12-08T10:00:04Z",
        component="kubelet",
    )
)
incident = {
    "id": ID,
    "title": "embed.acme.ai answers 500 after its HTTPRoute moved to the edge namespace: the ReferenceGrant in ml-serving still admits routes from serving only",
    "time": NOW,
    "question": "since the routes moved to the edge namespace this morning, https://embed.acme.ai/embed returns 500 from the gateway. the embedding pods in ml-serving look healthy. what is wrong?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "HTTPRoute edge/embeddings refers to Service ml-serving/tei-embed in another namespace, and no ReferenceGrant in ml-serving permits it (ResolvedRefs=False, RefNotPermitted), so the Gateway has no backend and answers 500.",
        "must_mention": [["embeddings"], ["RefNotPermitted|not permitted"], ["ReferenceGrant"]],
        "remediation_must_mention": [["ReferenceGrant"]],
        "runbook": "ingress-route-backend",
    },
    "tags": ["kubernetes", "gateway-api", "httproute", "networking", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": vp + ep + gp + tp,
        "workloads.yaml": work,
        "gateway-api.yaml": [gwc, gw, *routes, grant],
        "events.yaml": events,
    },
)
