import copy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-04T16:40:00Z"
ID = "statefulset-headless-service-missing-qdrant-peers"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"ip-10-90-{a}-{b}.ap-southeast-1.compute.internal",
        z,
        "r7i.2xlarge",
        "2026-11-28T06:00:00Z",
        NOW,
        labels={"eks.amazonaws.com/nodegroup": "memory-r7i"},
        mem_ki=65023012,
        alloc_mem="63000000Ki",
    )
    for a, b, z in (
        (1, 40, "ap-southeast-1a"),
        (2, 91, "ap-southeast-1b"),
        (3, 152, "ap-southeast-1c"),
    )
]
N = [n["metadata"]["name"] for n in nodes]
ns = "vectordb"
ns_objs = [namespace(n) for n in ("kube-system", "default", ns, "rag")]
lab = {"app.kubernetes.io/name": "qdrant", "app.kubernetes.io/instance": "qdrant"}
c = container(
    "qdrant",
    "docker.io/qdrant/qdrant:v1.13.2",
    6333,
    {"cpu": "2", "memory": "16Gi"},
    {"memory": "16Gi"},
    env=[
        {"name": "QDRANT__CLUSTER__ENABLED", "value": "true"},
        {"name": "QDRANT__CLUSTER__P2P__PORT", "value": "6335"},
    ],
    args=["./entrypoint.sh", "--bootstrap", "http://qdrant-0.qdrant-headless:6335"],
    probe_path="/readyz",
)
c["ports"] = [
    {"containerPort": 6333, "name": "http", "protocol": "TCP"},
    {"containerPort": 6334, "name": "grpc", "protocol": "TCP"},
    {"containerPort": 6335, "name": "p2p", "protocol": "TCP"},
]
spec = pod_spec([c])
pods = []
for i in range(3):
    pl = dict(lab)
    pl.update(
        {
            "apps.kubernetes.io/pod-index": str(i),
            "controller-revision-hash": "qdrant-6b8f7d9c54",
            "statefulset.kubernetes.io/pod-name": f"qdrant-{i}",
        }
    )
    sp = copy.deepcopy(spec)
    sp["hostname"] = f"qdrant-{i}"
    sp["subdomain"] = "qdrant-headless"
    if i == 0:
        sp["containers"][0]["args"] = [
            "./entrypoint.sh",
            "--uri",
            "http://qdrant-0.qdrant-headless:6335",
        ]
        p = pod(
            ns, f"qdrant-{i}", pl, sp, ("StatefulSet", "qdrant"), "2026-12-04T15:58:00Z", node=N[i]
        )
    else:
        p = pod(
            ns,
            f"qdrant-{i}",
            pl,
            sp,
            ("StatefulSet", "qdrant"),
            "2026-12-04T15:58:%02dZ" % (i * 20),
            node=N[i],
            ready=False,
            restarts=9 + i,
        )
        st = p["status"]["containerStatuses"][0]
        st["state"] = {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 5m0s restarting failed container=qdrant pod=qdrant-{i}_vectordb({p['metadata']['uid']})",
            }
        }
        st["lastState"] = {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": "2026-12-04T16:33:1%dZ" % i,
                "finishedAt": "2026-12-04T16:33:4%dZ" % i,
                "containerID": st["containerID"],
            }
        }
        st["started"] = False
    pods.append(p)
sts = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {
        "name": "qdrant",
        "namespace": ns,
        "creationTimestamp": "2026-07-14T10:00:00Z",
        "generation": 6,
        "uid": uid("StatefulSet", ns, "qdrant"),
        "labels": {
            **lab,
            "app.kubernetes.io/version": "v1.13.2",
            "helm.sh/chart": "qdrant-1.13.2",
            "app.kubernetes.io/managed-by": "Helm",
        },
        "annotations": {
            "meta.helm.sh/release-name": "qdrant",
            "meta.helm.sh/release-namespace": ns,
        },
    },
    "spec": {
        "replicas": 3,
        "serviceName": "qdrant-headless",
        "podManagementPolicy": "Parallel",
        "selector": {"matchLabels": lab},
        "template": {"metadata": {"labels": lab}, "spec": spec},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        "volumeClaimTemplates": [
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "qdrant-storage"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "100Gi"}},
                    "storageClassName": "gp3",
                },
            }
        ],
    },
    "status": {
        "availableReplicas": 1,
        "collisionCount": 0,
        "currentReplicas": 3,
        "currentRevision": "qdrant-6b8f7d9c54",
        "observedGeneration": 6,
        "readyReplicas": 1,
        "replicas": 3,
        "updateRevision": "qdrant-6b8f7d9c54",
        "updatedReplicas": 3,
    },
}
# the chart upgrade created the client Service and a differently named headless one... no: only the client Service remains
client_svc = service(
    ns,
    "qdrant",
    lab,
    [
        {"name": "http", "port": 6333, "protocol": "TCP", "targetPort": 6333},
        {"name": "grpc", "port": 6334, "protocol": "TCP", "targetPort": 6334},
    ],
    "2026-07-14T10:00:00Z",
    labels=lab,
)
rlab = {"app": "rag-api"}
rspec = pod_spec(
    [
        container(
            "api",
            "ghcr.io/acme/rag-api:0.18.0",
            8080,
            {"cpu": "500m", "memory": "1Gi"},
            {"memory": "2Gi"},
            env=[{"name": "QDRANT_URL", "value": "http://qdrant.vectordb.svc:6333"}],
            probe_path="/healthz",
        )
    ]
)
rrs = "7c6b5d8f94"
rl = dict(rlab)
rl["pod-template-hash"] = rrs
rpods = [
    pod(
        "rag",
        f"rag-api-{rrs}-{s}",
        rl,
        rspec,
        ("ReplicaSet", f"rag-api-{rrs}"),
        "2026-12-01T10:00:00Z",
        node=N[i],
    )
    for i, s in enumerate(("d2k8w", "m9x4p"))
]
work = [
    sts,
    client_svc,
    endpointslice(ns, "qdrant", pods[:1], 6333, created="2026-07-14T10:00:00Z"),
    deployment("rag", "rag-api", rlab, rspec, 2, "2026-09-01T10:00:00Z", rrs, generation=8),
    replicaset("rag", "rag-api", rrs, rlab, rspec, 2, "2026-12-01T10:00:00Z", revision=8),
    service(
        "rag",
        "rag-api",
        rlab,
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-09-01T10:00:00Z",
    ),
    endpointslice("rag", "rag-api", rpods, 8080, created="2026-09-01T10:00:00Z"),
]
pvcs = [
    {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": f"qdrant-storage-qdrant-{i}",
            "namespace": ns,
            "creationTimestamp": "2026-07-14T10:00:00Z",
            "labels": lab,
            "uid": uid("pvc", str(i)),
            "annotations": {
                "pv.kubernetes.io/bind-completed": "yes",
                "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
            },
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "100Gi"}},
            "storageClassName": "gp3",
            "volumeMode": "Filesystem",
            "volumeName": f"pvc-{uid('pv', str(i))}",
        },
        "status": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": "100Gi"},
            "phase": "Bound",
        },
    }
    for i in range(3)
]
events = [
    event(
        ns,
        "StatefulSet",
        "qdrant",
        "SuccessfulCreate",
        "create Pod qdrant-1 in StatefulSet qdrant successful",
        "2026-12-04T15:58:20Z",
        component="statefulset-controller",
        api="apps/v1",
    ),
    event(
        ns,
        "Pod",
        "qdrant-1",
        "BackOff",
        "Back-off restarting failed container qdrant in pod qdrant-1_vectordb({})".format(
            pods[1]["metadata"]["uid"]
        ),
        "2026-12-04T16:00:31Z",
        "2026-12-04T16:38:52Z",
        160,
        "Warning",
        "kubelet",
    ),
    event(
        ns,
        "Pod",
        "qdrant-2",
        "BackOff",
        "Back-off restarting failed container qdrant in pod qdrant-2_vectordb({})".format(
            pods[2]["metadata"]["uid"]
        ),
        "2026-12-04T16:00:49Z",
        "2026-12-04T16:39:05Z",
        158,
        "Warning",
        "kubelet",
    ),
    event(
        ns,
        "Service",
        "qdrant-headless",
        "Deleted",
        "helm uninstall of resource not in new chart: Service qdrant-headless",
        "2026-12-04T15:57:40Z",
        component="helm-controller",
    ),
    event(
        "rag",
        "Pod",
        rpods[0]["metadata"]["name"],
        "Pulled",
        'Container image "ghcr.io/acme/rag-api:0.18.0" already present on machine',
        "2026-12-04T15:20:00Z",
        component="kubelet",
    ),
]
incident = {
    "id": ID,
    "title": "Qdrant cluster members 1 and 2 crash-loop after a chart upgrade dropped the qdrant-headless Service the StatefulSet governs",
    "time": NOW,
    "question": "qdrant in vectordb: replicas 1 and 2 keep crashing since this afternoon's upgrade, qdrant-0 is fine. what broke?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "StatefulSet vectordb/qdrant names serviceName qdrant-headless, which no longer exists, so the pod DNS names (qdrant-0.qdrant-headless) do not resolve and members 1 and 2 cannot bootstrap from qdrant-0.",
        "must_mention": [
            ["qdrant-headless"],
            ["serviceName|headless Service"],
            ["resolve|DNS|lookup"],
        ],
        "remediation_must_mention": [["clusterIP|clusterip|headless"]],
        "runbook": "statefulset-headless-service",
    },
    "tags": ["kubernetes", "statefulset", "dns", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": pods + rpods,
        "workloads.yaml": work,
        "pvcs.yaml": pvcs,
        "events.yaml": events,
    },
)
for i in (1, 2):
    d = f"{out}/logs/{ns}/qdrant-{i}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/qdrant.previous.log", "w") as f:
        f.write(
            "           _                 _    \n  __ _  __| |_ __ __ _ _ __ | |_  \n / _` |/ _` | '__/ _` | '_ \\| __| \n| (_| | (_| | | | (_| | | | | |_  \n \\__, |\\__,_|_|  \\__,_|_| |_|\\__| \n    |_|                           \n\n"
        )
        f.write(
            f"2026-12-04T16:33:1{i}.201844Z  INFO storage::content_manager::consensus::persistent: Loading raft state from ./storage/raft_state.json\n"
        )
        f.write(
            f"2026-12-04T16:33:1{i}.203110Z  INFO qdrant: Distributed mode - bootstrapping from http://qdrant-0.qdrant-headless:6335\n"
        )
        f.write(
            f'2026-12-04T16:33:4{i}.207915Z ERROR qdrant::startup: Failed to bootstrap peer: Service internal error: Failed to add peer to known: status: Unavailable, message: "error trying to connect: dns error: failed to lookup address information: Name or service not known", details: [], metadata: MetadataMap {{ headers: {{}} }}\n'
        )
        f.write(
            f"2026-12-04T16:33:4{i}.208002Z ERROR qdrant: Panic occurred in file src/main.rs at line 232: Can't initialize consensus: Failed to bootstrap peer after 3 attempts\n"
        )
    with open(f"{d}/qdrant.log", "w") as f:
        f.write(
            f"2026-12-04T16:38:5{i}.102233Z  INFO qdrant: Distributed mode - bootstrapping from http://qdrant-0.qdrant-headless:6335\n"
        )
