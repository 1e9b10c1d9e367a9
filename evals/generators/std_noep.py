import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-07T09:45:00Z"
ID = "ingress-backend-scaled-to-zero-ocr-api"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"gke-docs-pool-1-9a7b3c2d-{s}",
        f"europe-west1-{z}",
        "n2-standard-8",
        "2026-11-20T06:00:00Z",
        NOW,
        region="europe-west1",
        labels={"cloud.google.com/gke-nodepool": "pool-1"},
    )
    for s, z in (("2kqv", "b"), ("8fzn", "c"), ("m4tw", "d"))
]
N = [n["metadata"]["name"] for n in nodes]
ns = "docs"
ns_objs = [namespace(n) for n in ("kube-system", "default", ns, "ingress-nginx")]
olab = {"app": "ocr-api", "app.kubernetes.io/name": "ocr-api"}
ospec = pod_spec(
    [
        container(
            "ocr",
            "europe-docker.pkg.dev/acme/docs/ocr-api:2.3.1",
            8080,
            {"cpu": "2", "memory": "4Gi"},
            {"memory": "6Gi"},
            probe_path="/healthz",
        )
    ]
)
ors = "7c9d6b8f54"
ulab = {"app": "upload-api", "app.kubernetes.io/name": "upload-api"}
uspec = pod_spec(
    [
        container(
            "upload",
            "europe-docker.pkg.dev/acme/docs/upload-api:1.8.0",
            8080,
            {"cpu": "500m", "memory": "512Mi"},
            {"memory": "1Gi"},
            probe_path="/healthz",
        )
    ]
)
urs = "5d8c7b9f46"
ul = dict(ulab)
ul["pod-template-hash"] = urs
upods = [
    pod(
        ns,
        f"upload-api-{urs}-{s}",
        ul,
        uspec,
        ("ReplicaSet", f"upload-api-{urs}"),
        "2026-12-02T10:00:00Z",
        node=N[i],
    )
    for i, s in enumerate(("h4x8p", "q9m2c"))
]
nlab = {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}
nspec = pod_spec(
    [
        container(
            "controller",
            "registry.k8s.io/ingress-nginx/controller:v1.12.1",
            80,
            {"cpu": "100m", "memory": "90Mi"},
        )
    ]
)
nrs = "6b5f9c8d74"
nl = dict(nlab)
nl["pod-template-hash"] = nrs
npods = [
    pod(
        "ingress-nginx",
        f"ingress-nginx-controller-{nrs}-x2w7t",
        nl,
        nspec,
        ("ReplicaSet", f"ingress-nginx-controller-{nrs}"),
        "2026-11-20T07:00:00Z",
        node=N[2],
    )
]
work = [
    deployment(
        ns,
        "ocr-api",
        olab,
        ospec,
        0,
        "2026-04-01T10:00:00Z",
        ors,
        generation=19,
        status={"replicas": 0, "observedGeneration": 19},
        conditions=[
            {
                "lastTransitionTime": "2026-12-06T19:02:11Z",
                "lastUpdateTime": "2026-12-06T19:02:11Z",
                "message": "Deployment has minimum availability.",
                "reason": "MinimumReplicasAvailable",
                "status": "True",
                "type": "Available",
            },
            {
                "lastTransitionTime": "2026-11-30T10:00:00Z",
                "lastUpdateTime": "2026-11-30T10:02:00Z",
                "message": f'ReplicaSet "ocr-api-{ors}" has successfully progressed.',
                "reason": "NewReplicaSetAvailable",
                "status": "True",
                "type": "Progressing",
            },
        ],
    ),
    replicaset(ns, "ocr-api", ors, olab, ospec, 0, "2026-11-30T10:00:00Z", ready=0, revision=19),
    deployment(ns, "upload-api", ulab, uspec, 2, "2026-04-01T10:00:00Z", urs, generation=7),
    replicaset(ns, "upload-api", urs, ulab, uspec, 2, "2026-12-02T10:00:00Z", revision=7),
    service(
        ns,
        "ocr-api",
        {"app": "ocr-api"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-04-01T10:00:00Z",
    ),
    endpointslice(ns, "ocr-api", [], 8080, created="2026-04-01T10:00:00Z"),
    service(
        ns,
        "upload-api",
        {"app": "upload-api"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-04-01T10:00:00Z",
    ),
    endpointslice(ns, "upload-api", upods, 8080, created="2026-04-01T10:00:00Z"),
]
work[5]["ports"] = [{"name": "http", "port": 8080, "protocol": "TCP"}]
ing = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "metadata": {
        "name": "docs-api",
        "namespace": ns,
        "creationTimestamp": "2026-04-01T10:00:00Z",
        "generation": 6,
        "uid": uid("ing", "docs-api"),
        "annotations": {"nginx.ingress.kubernetes.io/proxy-read-timeout": "120"},
    },
    "spec": {
        "ingressClassName": "nginx",
        "tls": [{"hosts": ["docs-api.acme.eu"], "secretName": "docs-api-tls"}],
        "rules": [
            {
                "host": "docs-api.acme.eu",
                "http": {
                    "paths": [
                        {
                            "path": "/ocr",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "ocr-api", "port": {"name": "http"}}},
                        },
                        {
                            "path": "/upload",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "upload-api", "port": {"number": 80}}},
                        },
                    ]
                },
            }
        ],
    },
    "status": {"loadBalancer": {"ingress": [{"ip": "34.140.77.201"}]}},
}
events = [
    event(
        ns,
        "Deployment",
        "ocr-api",
        "ScalingReplicaSet",
        f"Scaled down replica set ocr-api-{ors} from 2 to 0",
        "2026-12-06T19:02:11Z",
        component="deployment-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "Pod",
        upods[0]["metadata"]["name"],
        "Pulled",
        'Container image "europe-docker.pkg.dev/acme/docs/upload-api:1.8.0" already present on machine',
        "2026-12-07T08:00:00Z",
        component="kubelet",
    ),
]
incident = {
    "id": ID,
    "title": "docs-api.acme.eu/ocr answers 503: the ocr-api Deployment behind the Ingress was scaled to zero last evening",
    "time": NOW,
    "question": "POST https://docs-api.acme.eu/ocr returns 503 Service Temporarily Unavailable since this morning, /upload works. why?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "Ingress docs/docs-api sends docs-api.acme.eu/ocr to Service ocr-api, which has no ready endpoints: its selector app=ocr-api matches no pod because Deployment ocr-api was scaled down from 2 to 0.",
        "must_mention": [
            ["ocr-api"],
            ["no ready endpoints|no endpoints"],
            ["matches no pod|scaled"],
        ],
        "remediation_must_mention": [["scale|describe service"]],
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
        "pods.yaml": upods + npods,
        "workloads.yaml": work,
        "ingresses.yaml": [ing],
        "events.yaml": events,
    },
)
