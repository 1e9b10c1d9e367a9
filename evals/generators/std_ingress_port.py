"""Ingress that names a Service port the Service no longer exposes: a chart upgrade renamed
triton's port "http" to "http-infer", the Ingress still asks for port name "http", so
ingress-nginx has no endpoints for it and answers 503. Noise: healthy Ingresses and
backends, an unrelated readiness probe failure, the controller's access log."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-10T09:40:00Z"
ID = "ingress-backend-port-name-missing-triton"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"gke-prod-default-pool-7c1e9a2b-{s}",
        f"europe-west4-{z}",
        "e2-standard-8",
        "2026-11-20T06:00:00Z",
        NOW,
        region="europe-west4",
        labels={
            "cloud.google.com/gke-nodepool": "default-pool",
            "cloud.google.com/machine-family": "e2",
        },
    )
    for s, z in (("k3vd", "a"), ("p9tx", "b"), ("w2mh", "c"))
]
N = [n["metadata"]["name"] for n in nodes]
ns_objs = [
    namespace(n) for n in ("kube-system", "default", "web", "ingress-nginx", "llm", "inference")
]


def dep(ns, name, image, port, created, rs, n=2, lab=None):
    lab = lab or {"app": name, "app.kubernetes.io/name": name}
    spec = pod_spec(
        [
            container(
                name.split("-")[0],
                image,
                port,
                {"cpu": "250m", "memory": "512Mi"},
                {"memory": "1Gi"},
                probe_path="/healthz",
            )
        ]
    )
    pl = dict(lab)
    pl["pod-template-hash"] = rs
    ps = [
        pod(
            ns,
            f"{name}-{rs}-{h(name, str(i), n=5)}",
            pl,
            spec,
            ("ReplicaSet", f"{name}-{rs}"),
            created,
            node=N[i % 3],
        )
        for i in range(n)
    ]
    return [
        deployment(ns, name, lab, spec, n, created, rs, generation=5),
        replicaset(ns, name, rs, lab, spec, n, created, revision=5),
    ], ps


w1, p1 = dep(
    "inference",
    "triton",
    "nvcr.io/nvidia/tritonserver:24.10-py3",
    8000,
    "2026-12-10T08:55:00Z",
    "9d6f7b8c45",
    lab={"app.kubernetes.io/name": "triton", "app.kubernetes.io/instance": "triton"},
)
w2, p2 = dep(
    "web", "docs-site", "ghcr.io/acme/docs-site:1.7.3", 8080, "2026-10-03T09:00:00Z", "7f6c8d9b45"
)
w3, p3 = dep(
    "llm",
    "chat-backend",
    "ghcr.io/acme/chat-backend:2.2.1",
    8000,
    "2026-11-25T09:00:00Z",
    "6d8b7c9f54",
)
w4, p4 = dep(
    "ingress-nginx",
    "ingress-nginx-controller",
    "registry.k8s.io/ingress-nginx/controller:v1.12.1",
    80,
    "2026-06-01T09:00:00Z",
    "8b5d6c7f94",
    n=1,
    lab={
        "app.kubernetes.io/name": "ingress-nginx",
        "app.kubernetes.io/component": "controller",
        "app.kubernetes.io/instance": "ingress-nginx",
    },
)
svcs = [
    service(
        "inference",
        "triton",
        {"app.kubernetes.io/name": "triton", "app.kubernetes.io/instance": "triton"},
        [
            {"name": "http-infer", "port": 8000, "protocol": "TCP", "targetPort": 8000},
            {"name": "grpc-infer", "port": 8001, "protocol": "TCP", "targetPort": 8001},
            {"name": "metrics", "port": 8002, "protocol": "TCP", "targetPort": 8002},
        ],
        "2026-07-02T09:00:00Z",
        labels={
            "app.kubernetes.io/name": "triton",
            "helm.sh/chart": "triton-inference-server-2.0.0",
        },
    ),
    endpointslice(
        "inference", "triton", p1, 8000, port_name="http-infer", created="2026-07-02T09:00:00Z"
    ),
    service(
        "web",
        "docs-site",
        {"app": "docs-site"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-10-03T09:00:00Z",
    ),
    endpointslice("web", "docs-site", p2, 8080, created="2026-10-03T09:00:00Z"),
    service(
        "llm",
        "chat-backend",
        {"app": "chat-backend"},
        [{"name": "http", "port": 8000, "protocol": "TCP", "targetPort": 8000}],
        "2026-11-25T09:00:00Z",
    ),
    endpointslice("llm", "chat-backend", p3, 8000, created="2026-11-25T09:00:00Z"),
    service(
        "ingress-nginx",
        "ingress-nginx-controller",
        {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"},
        [
            {"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"},
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"},
        ],
        "2026-06-01T09:00:00Z",
        stype="LoadBalancer",
    ),
    endpointslice(
        "ingress-nginx", "ingress-nginx-controller", p4, 80, created="2026-06-01T09:00:00Z"
    ),
]


def ing(ns, name, host, paths, created, tls=True):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": ns,
            "creationTimestamp": created,
            "generation": 4,
            "uid": uid("ing", ns, name),
            "annotations": {
                "cert-manager.io/cluster-issuer": "letsencrypt-prod",
                "nginx.ingress.kubernetes.io/proxy-body-size": "16m",
            },
        },
        "spec": {
            "ingressClassName": "nginx",
            "rules": [
                {
                    "host": host,
                    "http": {
                        "paths": [
                            {
                                "path": p,
                                "pathType": "Prefix",
                                "backend": {
                                    "service": {
                                        "name": s,
                                        "port": {"number": port}
                                        if isinstance(port, int)
                                        else {"name": port},
                                    }
                                },
                            }
                            for p, s, port in paths
                        ]
                    },
                }
            ],
            "tls": [{"hosts": [host], "secretName": name + "-tls"}] if tls else [],
        },
        "status": {"loadBalancer": {"ingress": [{"ip": "34.90.127.14"}]}},
    }


ings = [
    ing("inference", "triton", "infer.acme.ai", [("/", "triton", "http")], "2026-07-02T09:00:00Z"),
    ing("web", "docs", "docs.acme.ai", [("/", "docs-site", "http")], "2026-10-03T09:00:00Z"),
    ing(
        "llm", "chat-api", "chat.acme.ai", [("/api", "chat-backend", 8000)], "2026-11-25T09:00:00Z"
    ),
]
events = [
    event(
        "inference",
        "Deployment",
        "triton",
        "ScalingReplicaSet",
        "Scaled up replica set triton-9d6f7b8c45 from 0 to 2",
        "2026-12-10T08:55:00Z",
        component="deployment-controller",
        api="apps/v1",
    ),
    event(
        "inference",
        "Ingress",
        "triton",
        "Sync",
        "Scheduled for sync",
        "2026-12-10T08:55:04Z",
        component="nginx-ingress-controller",
        api="networking.k8s.io/v1",
    ),
    event(
        "llm",
        "Pod",
        p3[1]["metadata"]["name"],
        "Unhealthy",
        'Readiness probe failed: Get "http://10.12.3.9:8000/healthz": context deadline exceeded',
        "2026-12-10T09:12:10Z",
        etype="Warning",
        component="kubelet",
    ),
]
incident = {
    "id": ID,
    "title": "infer.acme.ai answers 503 after the triton chart upgrade renamed the Service port http to http-infer; the Ingress still names port http",
    "time": NOW,
    "question": "https://infer.acme.ai/v2/models/bert/infer returns 503 since the triton upgrade this morning, but both triton pods are ready. why?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "Ingress inference/triton sends infer.acme.ai/ to Service triton port http, but the Service exposes http-infer, grpc-infer and metrics only, so ingress-nginx has no endpoints for it and answers 503.",
        "must_mention": [["triton"], ["port"], ["http-infer"]],
        "remediation_must_mention": [["port"]],
        "runbook": "ingress-route-backend",
    },
    "tags": ["kubernetes", "ingress", "networking", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": p1 + p2 + p3 + p4,
        "workloads.yaml": w1 + w2 + w3 + w4 + svcs,
        "ingresses.yaml": ings,
        "events.yaml": events,
    },
)
lp = f"{out}/logs/ingress-nginx/{p4[0]['metadata']['name']}"
os.makedirs(lp, exist_ok=True)
with open(f"{lp}/ingress.log", "w") as f:
    f.write(
        'I1210 08:55:04.118204       7 store.go:440] "Found valid IngressClass" ingress="inference/triton" ingressclass="nginx"\n'
    )
    f.write(
        'I1210 08:55:04.301577       7 controller.go:193] "Configuration changes detected, backend reload required"\n'
    )
    f.write('I1210 08:55:04.389102       7 controller.go:213] "Backend successfully reloaded"\n')
    for i in range(5):
        f.write(
            f'198.51.100.{20 + i} - - [10/Dec/2026:09:3{i}:07 +0000] "POST /v2/models/bert/infer HTTP/2.0" 503 190 "-" "python-requests/2.32.3" 812 0.000 [inference-triton-http] [] - - - - {h(str(i), "t", n=32)}\n'
        )
        f.write(
            f'203.0.113.{40 + i} - - [10/Dec/2026:09:3{i}:15 +0000] "GET /docs/quickstart HTTP/2.0" 200 8211 "-" "Mozilla/5.0" 44 0.004 [web-docs-site-http] [] 10.12.1.7:8080 8211 0.004 200 {h(str(i), "d", n=32)}\n'
        )
