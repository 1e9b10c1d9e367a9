import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-03T08:25:00Z"
ID = "httproute-not-accepted-listener-same-namespace-vllm"
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
                "allowedRoutes": {"namespaces": {"from": "Same"}},
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
                "allowedRoutes": {"namespaces": {"from": "Same"}},
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
                "attachedRoutes": 1,
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
                "attachedRoutes": 1,
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


def route(ns, name, host, backend, port, accepted, created):
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
                "status": "False",
                "reason": "NotAllowedByListeners",
                "message": "No listeners included by this parent ref allowed this attachment.",
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
    )
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
                    "backendRefs": [
                        {"group": "", "kind": "Service", "name": backend, "port": port, "weight": 1}
                    ],
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
    route("serving", "qwen-api", "qwen.acme.ai", "vllm-qwen", 8000, False, "2026-12-02T17:05:00Z"),
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
incident = {
    "id": ID,
    "title": "qwen.acme.ai 404s: the public Gateway's listeners admit routes from infra-gateway only, so the HTTPRoute in serving is not accepted",
    "time": NOW,
    "question": "https://qwen.acme.ai/v1/models answers 404 from the gateway, but the vllm-qwen pods in serving are ready. why?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "HTTPRoute serving/qwen-api is not accepted by Gateway infra-gateway/public (Accepted=False, NotAllowedByListeners): both listeners allow routes from the Same namespace only, and the route lives in serving.",
        "must_mention": [
            ["qwen-api"],
            ["NotAllowedByListeners|not accept|did not accept"],
            ["Same"],
        ],
        "remediation_must_mention": [["allowedRoutes|from: All|Selector"]],
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
        "pods.yaml": vp + ep + gp,
        "workloads.yaml": work,
        "gateway-api.yaml": [gwc, gw, *routes],
        "events.yaml": events,
    },
)
