import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-11-20T10:35:00Z"
ID = "network-policy-reranker-ingress-misses-search-api"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"aks-general-18304961-vmss00000{i}",
        f"westeurope-{i % 3 + 1}",
        "Standard_D8s_v5",
        "2026-11-01T06:00:00Z",
        NOW,
        region="westeurope",
        labels={
            "kubernetes.azure.com/agentpool": "general",
            "agentpool": "general",
            "kubernetes.azure.com/mode": "system",
        },
    )
    for i in range(3)
]
for n in nodes:
    n["spec"]["providerID"] = (
        "azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_rg-ai/providers/Microsoft.Compute/virtualMachineScaleSets/aks-general-18304961-vmss/virtualMachines/"
        + n["metadata"]["name"][-1]
    )
N = [n["metadata"]["name"] for n in nodes]
ns_objs = [
    namespace("kube-system"),
    namespace("default"),
    namespace("search", labels={"team": "search", "tier": "app"}),
    namespace("ml-serving", labels={"team": "ml-platform", "tier": "inference"}),
    namespace("gateway", labels={"tier": "edge"}),
    namespace("monitoring", labels={"tier": "platform"}),
]


def dep(ns, name, image, port, node_i, created, rs, extra_labels=None, env=None, n=1):
    lab = {"app": name, "app.kubernetes.io/name": name}
    lab.update(extra_labels or {})
    spec = pod_spec(
        [
            container(
                name.split("-")[0],
                image,
                port,
                {"cpu": "500m", "memory": "1Gi"},
                {"memory": "2Gi"},
                env=env,
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
            node=N[(node_i + i) % 3],
        )
        for i in range(n)
    ]
    return [
        deployment(ns, name, lab, spec, n, created, rs, generation=3),
        replicaset(ns, name, rs, lab, spec, n, created, revision=3),
    ], ps


w1, p1 = dep(
    "search",
    "search-api",
    "ghcr.io/acme/search-api:5.2.0",
    8000,
    0,
    "2026-11-18T09:00:00Z",
    "7d4b9c6f58",
    {"app.kubernetes.io/component": "api"},
    env=[
        {"name": "RERANKER_URL", "value": "http://reranker.ml-serving.svc.cluster.local/rerank"},
        {"name": "RERANKER_TIMEOUT_MS", "value": "1500"},
    ],
    n=2,
)
w2, p2 = dep(
    "ml-serving",
    "reranker",
    "ghcr.io/acme/reranker:bge-v2-m3-1.4.0",
    8080,
    1,
    "2026-11-10T09:00:00Z",
    "5f8c7d9b64",
    {"app.kubernetes.io/component": "inference"},
    n=2,
)
w3, p3 = dep(
    "gateway",
    "api-gateway",
    "docker.io/envoyproxy/envoy:v1.33.2",
    8080,
    2,
    "2026-10-01T09:00:00Z",
    "6b7f5d8c94",
    n=2,
)
w4, p4 = dep(
    "ml-serving",
    "embedder",
    "ghcr.io/acme/embedder:0.9.1",
    8080,
    2,
    "2026-11-10T09:00:00Z",
    "64f9d8b7c5",
)
svcs = [
    service(
        "search",
        "search-api",
        {"app": "search-api"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8000}],
        "2026-05-01T09:00:00Z",
    ),
    endpointslice("search", "search-api", p1, 8000, created="2026-05-01T09:00:00Z"),
    service(
        "ml-serving",
        "reranker",
        {"app": "reranker"},
        [
            {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
            {"name": "metrics", "port": 9090, "protocol": "TCP", "targetPort": 9090},
        ],
        "2026-05-01T09:00:00Z",
    ),
    endpointslice("ml-serving", "reranker", p2, 8080, created="2026-05-01T09:00:00Z"),
    service(
        "ml-serving",
        "embedder",
        {"app": "embedder"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-05-01T09:00:00Z",
    ),
    endpointslice("ml-serving", "embedder", p4, 8080, created="2026-05-01T09:00:00Z"),
    service(
        "gateway",
        "api-gateway",
        {"app": "api-gateway"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-05-01T09:00:00Z",
        stype="LoadBalancer",
    ),
]


def np(ns, name, created, spec, anno=None):
    md = {
        "name": name,
        "namespace": ns,
        "creationTimestamp": created,
        "generation": 1,
        "uid": uid("np", ns, name),
        "resourceVersion": rv("np", ns, name),
    }
    if anno:
        md["annotations"] = anno
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": md,
        "spec": spec,
    }


pols = [
    np(
        "ml-serving",
        "default-deny-ingress",
        "2026-11-19T16:02:11Z",
        {"podSelector": {}, "policyTypes": ["Ingress"]},
    ),
    np(
        "ml-serving",
        "reranker-allow-gateway",
        "2026-11-19T16:02:11Z",
        {
            "podSelector": {"matchLabels": {"app": "reranker"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "gateway"}
                            },
                            "podSelector": {"matchLabels": {"app": "api-gateway"}},
                        }
                    ],
                    "ports": [{"port": 8080, "protocol": "TCP"}],
                }
            ],
        },
    ),
    np(
        "ml-serving",
        "allow-prometheus-scrape",
        "2026-11-19T16:02:11Z",
        {
            "podSelector": {},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                            }
                        }
                    ],
                    "ports": [{"port": 9090, "protocol": "TCP"}],
                }
            ],
        },
    ),
    np(
        "ml-serving",
        "embedder-allow-search",
        "2026-11-19T16:02:11Z",
        {
            "podSelector": {"matchLabels": {"app": "embedder"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"namespaceSelector": {"matchLabels": {"team": "search"}}}],
                    "ports": [{"port": 8080, "protocol": "TCP"}],
                }
            ],
        },
    ),
    np(
        "search",
        "default-deny-egress",
        "2026-09-01T10:00:00Z",
        {"podSelector": {}, "policyTypes": ["Egress"]},
    ),
    np(
        "search",
        "search-api-egress",
        "2026-09-01T10:00:00Z",
        {
            "podSelector": {"matchLabels": {"app": "search-api"}},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                            },
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                },
                {
                    "to": [{"namespaceSelector": {"matchLabels": {"tier": "inference"}}}],
                    "ports": [{"port": 8080, "protocol": "TCP"}],
                },
            ],
        },
    ),
    np(
        "gateway",
        "allow-all-ingress",
        "2026-06-01T10:00:00Z",
        {"podSelector": {}, "ingress": [{}], "policyTypes": ["Ingress"]},
    ),
]
events = [
    event(
        "search",
        "Pod",
        p1[0]["metadata"]["name"],
        "Unhealthy",
        "Readiness probe failed: HTTP probe failed with statuscode: 503",
        "2026-11-20T10:12:40Z",
        "2026-11-20T10:34:10Z",
        41,
        "Warning",
        "kubelet",
    ),
    event(
        "ml-serving",
        "Deployment",
        "embedder",
        "ScalingReplicaSet",
        "Scaled up replica set embedder-64f9d8b7c5 from 0 to 1",
        "2026-11-10T09:00:00Z",
        component="deployment-controller",
        api="apps/v1",
    ),
    event(
        "gateway",
        "Service",
        "api-gateway",
        "EnsuredLoadBalancer",
        "Ensured load balancer",
        "2026-11-19T08:00:00Z",
        component="service-controller",
    ),
]
for p in p1:
    p["status"]["containerStatuses"][0]["ready"] = p is not p1[0]
incident = {
    "id": ID,
    "title": "ml-serving's new default-deny ingress: the reranker now admits only the api-gateway on 8080, so search-api's calls time out",
    "time": NOW,
    "question": "why can't search-api in namespace search reach the reranker in ml-serving anymore? its calls time out since yesterday",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "NetworkPolicies in ml-serving select the reranker pods for ingress (default-deny-ingress, reranker-allow-gateway, allow-prometheus-scrape, created yesterday) and admit only app=api-gateway in namespace gateway on TCP/8080 and namespace monitoring on 9090: nothing admits app=search-api from namespace search on TCP/8080.",
        "must_mention": [
            ["reranker-allow-gateway|default-deny-ingress"],
            ["search-api"],
            ["8080"],
            ["api-gateway"],
        ],
        "remediation_must_mention": [
            ["search|namespaceSelector|podSelector"],
            ["NetworkPolicy|networkpolicy"],
        ],
        "runbook": "network-policy-blocks-traffic",
    },
    "tags": ["kubernetes", "network-policy", "no-hubble", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": p1 + p2 + p3 + p4,
        "workloads.yaml": w1 + w2 + w3 + w4 + svcs,
        "networkpolicies.yaml": pols,
        "events.yaml": events,
    },
)
os.makedirs(f"{out}/logs/search/{p1[0]['metadata']['name']}", exist_ok=True)
with open(f"{out}/logs/search/{p1[0]['metadata']['name']}/search.log", "w") as f:
    for i in range(6):
        f.write(
            f"2026-11-20T10:{20 + i * 2}:1{i}.412Z INFO  request_id={h(str(i), n=12)} path=/v1/search q_len=42 results=50 rerank=true\n"
        )
        f.write(
            f"2026-11-20T10:{20 + i * 2}:1{i}.915Z ERROR rerank call failed: ConnectTimeout: timed out connecting to http://reranker.ml-serving.svc.cluster.local/rerank after 1500 ms; serving unranked results\n"
        )
