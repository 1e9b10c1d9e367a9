import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-06T18:15:00Z"
ID = "network-policy-egress-namespace-label-feature-store"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"worker-{i}.k8s.lab.internal",
        f"rack-{i % 2 + 1}",
        "bare-metal-64c",
        "2026-09-01T06:00:00Z",
        NOW,
        region="dc1",
        cpu="64",
        alloc_cpu="63500m",
        labels={"node-role.kubernetes.io/worker": ""},
    )
    for i in range(1, 4)
]
for n in nodes:
    n["spec"]["providerID"] = ""
N = [n["metadata"]["name"] for n in nodes]
ns_objs = [
    namespace("kube-system"),
    namespace("default"),
    namespace("recsys", labels={"team": "recsys", "env": "prod"}),
    namespace(
        "feature-store", labels={"team": "data-platform", "env": "prod", "purpose": "features"}
    ),
    namespace("data", labels={"team": "data-platform", "env": "prod", "purpose": "storage"}),
]


def dep(ns, name, image, port, i, rs, lab_extra=None, n=1, env=None):
    lab = {"app": name}
    lab.update(lab_extra or {})
    spec = pod_spec(
        [
            container(
                name.split("-")[0],
                image,
                port,
                {"cpu": "1", "memory": "2Gi"},
                {"memory": "4Gi"},
                env=env,
                probe_path="/health",
            )
        ]
    )
    pl = dict(lab)
    pl["pod-template-hash"] = rs
    ps = [
        pod(
            ns,
            f"{name}-{rs}-{h(name, str(k), n=5)}",
            pl,
            spec,
            ("ReplicaSet", f"{name}-{rs}"),
            "2026-12-01T10:00:00Z",
            node=N[(i + k) % 3],
        )
        for k in range(n)
    ]
    return [
        deployment(ns, name, lab, spec, n, "2026-08-01T10:00:00Z", rs, generation=4),
        replicaset(ns, name, rs, lab, spec, n, "2026-12-01T10:00:00Z", revision=4),
    ], ps


w1, p1 = dep(
    "recsys",
    "ranker",
    "harbor.lab.internal/recsys/ranker:3.3.0",
    8080,
    0,
    "6c5d8f7b94",
    {"tier": "online"},
    n=2,
    env=[{"name": "FEATURE_STORE_ADDR", "value": "feast-server.feature-store.svc:6566"}],
)
w2, p2 = dep(
    "feature-store",
    "feast-server",
    "harbor.lab.internal/data/feast:0.47.0",
    6566,
    1,
    "7d9c6b8f45",
    n=2,
)
w3, p3 = dep("data", "redis-online", "harbor.lab.internal/data/redis:7.4", 6379, 2, "5b7c9d6f84")
svcs = [
    service(
        "recsys",
        "ranker",
        {"app": "ranker"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-08-01T10:00:00Z",
    ),
    service(
        "feature-store",
        "feast-server",
        {"app": "feast-server"},
        [{"name": "grpc", "port": 6566, "protocol": "TCP", "targetPort": 6566}],
        "2026-08-01T10:00:00Z",
    ),
    endpointslice(
        "feature-store", "feast-server", p2, 6566, port_name="grpc", created="2026-08-01T10:00:00Z"
    ),
    service(
        "data",
        "redis-online",
        {"app": "redis-online"},
        [{"name": "redis", "port": 6379, "protocol": "TCP", "targetPort": 6379}],
        "2026-08-01T10:00:00Z",
    ),
]


def np(ns, name, created, spec):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": name,
            "namespace": ns,
            "creationTimestamp": created,
            "generation": 2,
            "uid": uid("np", ns, name),
        },
        "spec": spec,
    }


pols = [
    np(
        "recsys",
        "default-deny",
        "2026-08-01T10:00:00Z",
        {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    ),
    np(
        "recsys",
        "ranker-egress",
        "2026-12-06T16:40:12Z",
        {
            "podSelector": {"matchLabels": {"app": "ranker"}},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {},
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                },
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"team": "data-platform", "purpose": "feature-store"}
                            }
                        }
                    ],
                    "ports": [{"port": 6566, "protocol": "TCP"}],
                },
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {"kubernetes.io/metadata.name": "data"}
                            },
                            "podSelector": {"matchLabels": {"app": "redis-online"}},
                        }
                    ],
                    "ports": [{"port": 6379, "protocol": "TCP"}],
                },
            ],
        },
    ),
    np(
        "recsys",
        "ranker-ingress",
        "2026-08-01T10:00:00Z",
        {
            "podSelector": {"matchLabels": {"app": "ranker"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}]}],
        },
    ),
    np(
        "feature-store",
        "feast-ingress",
        "2026-08-01T10:00:00Z",
        {
            "podSelector": {"matchLabels": {"app": "feast-server"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"namespaceSelector": {"matchLabels": {"env": "prod"}}}],
                    "ports": [{"port": 6566, "protocol": "TCP"}],
                }
            ],
        },
    ),
]
events = [
    event(
        "recsys",
        "Pod",
        p1[0]["metadata"]["name"],
        "Unhealthy",
        "Readiness probe failed: HTTP probe failed with statuscode: 503",
        "2026-12-06T16:41:30Z",
        "2026-12-06T18:14:50Z",
        560,
        "Warning",
        "kubelet",
    )
]
for p in p1:
    p["status"]["containerStatuses"][0]["ready"] = False
    for c in p["status"]["conditions"]:
        if c["type"] in ("Ready", "ContainersReady"):
            c["status"] = "False"
incident = {
    "id": ID,
    "title": "ranker loses the feature store after an egress policy change: its namespaceSelector asks purpose=feature-store, the namespace is labelled purpose=features",
    "time": NOW,
    "question": "ranker in recsys cannot connect to feast-server since the 16:40 network policy change, grpc deadline exceeded. what is blocking it?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "NetworkPolicy recsys/ranker-egress selects the ranker pods for egress; its rule for TCP/6566 allows namespaces labelled team=data-platform,purpose=feature-store, but feature-store is labelled purpose=features, so nothing lets ranker out to feast-server.",
        "must_mention": [
            ["ranker-egress"],
            ["egress"],
            ["purpose=feature-store|feature-store"],
            ["6566"],
        ],
        "remediation_must_mention": [["namespaceSelector|feature-store"]],
        "runbook": "network-policy-blocks-traffic",
    },
    "tags": ["kubernetes", "network-policy", "no-hubble", "egress", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": p1 + p2 + p3,
        "workloads.yaml": w1 + w2 + w3 + svcs,
        "networkpolicies.yaml": pols,
        "events.yaml": events,
    },
)
d = f"{out}/logs/recsys/{p1[0]['metadata']['name']}"
os.makedirs(d, exist_ok=True)
with open(f"{d}/ranker.log", "w") as f:
    for i in range(4):
        f.write(
            f"2026-12-06T18:1{i}:02.551Z ERROR feature fetch failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded (feast-server.feature-store.svc:6566)\n"
        )
