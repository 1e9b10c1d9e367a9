import copy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-06T15:40:00Z"
ID = "deployment-rollout-readiness-gate-storefront"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"ip-10-44-{a}-{b}.eu-west-2.compute.internal",
        z,
        "m7g.xlarge",
        "2026-11-25T06:00:00Z",
        NOW,
        cpu="4",
        alloc_cpu="3920m",
        mem_ki=16000000,
        alloc_mem="15000000Ki",
        labels={"eks.amazonaws.com/nodegroup": "web-arm", "kubernetes.io/arch": "arm64"},
    )
    for a, b, z in ((1, 12, "eu-west-2a"), (2, 230, "eu-west-2b"), (3, 87, "eu-west-2c"))
]
N = [n["metadata"]["name"] for n in nodes]
ns = "web"
ns_objs = [
    namespace("kube-system"),
    namespace("default"),
    namespace(ns, labels={"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}),
    namespace("monitoring"),
]
lab = {"app": "storefront-ui", "app.kubernetes.io/name": "storefront-ui"}
spec_old = pod_spec(
    [
        container(
            "ui",
            "123456789012.dkr.ecr.eu-west-2.amazonaws.com/storefront-ui:4.11.0",
            3000,
            {"cpu": "250m", "memory": "512Mi"},
            {"memory": "768Mi"},
            probe_path="/api/health",
        )
    ]
)
spec_new = copy.deepcopy(spec_old)
spec_new["containers"][0]["image"] = (
    "123456789012.dkr.ecr.eu-west-2.amazonaws.com/storefront-ui:4.12.0"
)
GATE = "target-health.elbv2.k8s.aws/k8s-web-storefro-5a1c9e2b7d"
old_rs, new_rs = "7b6c5d9f48", "5f9d8c7b46"
ol = dict(lab)
ol["pod-template-hash"] = old_rs
nl = dict(lab)
nl["pod-template-hash"] = new_rs
olds = [
    pod(
        ns,
        f"storefront-ui-{old_rs}-{s}",
        ol,
        spec_old,
        ("ReplicaSet", f"storefront-ui-{old_rs}"),
        "2026-11-28T10:00:0%dZ" % i,
        node=N[i],
    )
    for i, s in enumerate(("b4kx2", "j8q5w", "t2n9c"))
]
olds = olds[1:]  # one old pod scaled down by the rollout
news = []
for i, s in enumerate(("c7w2p", "r5m8x")):
    sp = copy.deepcopy(spec_new)
    sp["readinessGates"] = [{"conditionType": GATE}]
    p = pod(
        ns,
        f"storefront-ui-{new_rs}-{s}",
        nl,
        sp,
        ("ReplicaSet", f"storefront-ui-{new_rs}"),
        "2026-12-06T15:12:1%dZ" % i,
        node=N[i],
        ready=True,
    )
    for c in p["status"]["conditions"]:
        if c["type"] == "Ready":
            c.update(
                status="False",
                reason="ReadinessGatesNotReady",
                message=f'corresponding condition of pod readiness gate "{GATE}" does not exist.',
            )
    news.append(p)
work = [
    deployment(
        ns,
        "storefront-ui",
        lab,
        spec_new,
        3,
        "2026-03-01T10:00:00Z",
        new_rs,
        generation=23,
        status={
            "availableReplicas": 2,
            "readyReplicas": 2,
            "replicas": 4,
            "updatedReplicas": 2,
            "unavailableReplicas": 2,
        },
        conditions=[
            {
                "lastTransitionTime": "2026-11-28T10:01:00Z",
                "lastUpdateTime": "2026-11-28T10:01:00Z",
                "message": "Deployment has minimum availability.",
                "reason": "MinimumReplicasAvailable",
                "status": "True",
                "type": "Available",
            },
            {
                "lastTransitionTime": "2026-12-06T15:22:13Z",
                "lastUpdateTime": "2026-12-06T15:22:13Z",
                "message": f'ReplicaSet "storefront-ui-{new_rs}" has timed out progressing.',
                "reason": "ProgressDeadlineExceeded",
                "status": "False",
                "type": "Progressing",
            },
        ],
    ),
    replicaset(
        ns, "storefront-ui", new_rs, lab, spec_new, 2, "2026-12-06T15:12:10Z", ready=0, revision=23
    ),
    replicaset(ns, "storefront-ui", old_rs, lab, spec_old, 2, "2026-11-28T10:00:00Z", revision=22),
    service(
        ns,
        "storefront-ui",
        {"app": "storefront-ui"},
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 3000}],
        "2026-03-01T10:00:00Z",
    ),
    endpointslice(ns, "storefront-ui", olds, 3000, created="2026-03-01T10:00:00Z"),
    {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "storefront",
            "namespace": ns,
            "creationTimestamp": "2026-03-01T10:00:00Z",
            "uid": uid("ing", "storefront"),
            "annotations": {
                "alb.ingress.kubernetes.io/scheme": "internet-facing",
                "alb.ingress.kubernetes.io/target-type": "ip",
            },
        },
        "spec": {
            "ingressClassName": "alb",
            "rules": [
                {
                    "host": "shop.acme.co.uk",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {
                                    "service": {"name": "storefront-ui", "port": {"number": 80}}
                                },
                            }
                        ]
                    },
                }
            ],
        },
        "status": {
            "loadBalancer": {
                "ingress": [
                    {
                        "hostname": "k8s-web-storefro-5a1c9e2b7d-1234567890.eu-west-2.elb.amazonaws.com"
                    }
                ]
            }
        },
    },
]
for i, p in enumerate(news):
    p["status"]["conditions"].append(
        {
            "lastProbeTime": None,
            "lastTransitionTime": p["metadata"]["creationTimestamp"],
            "status": "True",
            "type": "ContainersReady",
        }
    ) if not any(c["type"] == "ContainersReady" for c in p["status"]["conditions"]) else None
events = [
    event(
        ns,
        "Deployment",
        "storefront-ui",
        "ScalingReplicaSet",
        f"Scaled up replica set storefront-ui-{new_rs} from 0 to 1",
        "2026-12-06T15:12:10Z",
        component="deployment-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "Deployment",
        "storefront-ui",
        "ScalingReplicaSet",
        f"Scaled down replica set storefront-ui-{old_rs} from 3 to 2",
        "2026-12-06T15:12:10Z",
        component="deployment-controller",
        api="apps/v1",
        seq=1,
    ),
    event(
        ns,
        "Deployment",
        "storefront-ui",
        "ScalingReplicaSet",
        f"Scaled up replica set storefront-ui-{new_rs} from 1 to 2",
        "2026-12-06T15:12:11Z",
        component="deployment-controller",
        api="apps/v1",
        seq=2,
    ),
    event(
        ns,
        "Pod",
        news[0]["metadata"]["name"],
        "Started",
        "Started container ui",
        "2026-12-06T15:12:14Z",
        component="kubelet",
    ),
    event(
        ns,
        "Pod",
        news[1]["metadata"]["name"],
        "Started",
        "Started container ui",
        "2026-12-06T15:12:15Z",
        component="kubelet",
    ),
    event(
        ns,
        "Ingress",
        "storefront",
        "SuccessfullyReconciled",
        "Successfully reconciled",
        "2026-12-06T14:02:40Z",
        component="ingress",
    ),
]
incident = {
    "id": ID,
    "title": "storefront-ui 4.12 rollout stuck: new pods' containers are ready but the ALB target-health readiness gate is never set",
    "time": NOW,
    "question": "the storefront-ui rollout in web has been stuck for 25 minutes, the new pods are running but never become ready. why?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "The new storefront-ui pods have ready containers but never become Ready: their readiness gate target-health.elbv2.k8s.aws/k8s-web-storefro-5a1c9e2b7d is not set (the condition does not exist), so the rollout exceeds its progress deadline.",
        "must_mention": [["readiness gate"], ["target-health"], ["storefront-ui"]],
        "remediation_must_mention": [
            ["TargetGroupBinding|load balancer controller|pod-readiness-gate-inject"]
        ],
        "runbook": "deployment-rollout-stuck",
    },
    "tags": ["kubernetes", "deployment", "rollout", "aws", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": olds + news,
        "workloads.yaml": work,
        "events.yaml": events,
    },
)
