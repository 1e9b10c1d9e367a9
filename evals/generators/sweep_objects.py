"""Kubernetes objects for the evidence-sweep incidents (Deployments with their ReplicaSet history,
multi-container pods, HPAs, KEDA ScaledObjects, ConfigMaps with managedFields), written as the
API server writes them. Used by sweep_incidents.py; its bundles are committed, nothing here runs
in CI."""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime, timedelta
from typing import Any

from k8s import owner, ts, uid


def namespace(name: str, created: datetime) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "uid": uid("ns" + name),
            "creationTimestamp": ts(created),
            "labels": {"kubernetes.io/metadata.name": name},
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def plain_node(name: str, ip: str, created: datetime) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "uid": uid("node" + name),
            "creationTimestamp": ts(created),
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": "m6i.4xlarge",
            },
        },
        "spec": {},
        "status": {
            "addresses": [{"type": "InternalIP", "address": ip}],
            "capacity": {"cpu": "16", "memory": "64937Mi", "pods": "110"},
            "allocatable": {"cpu": "15890m", "memory": "62117Mi", "pods": "110"},
            "conditions": [
                {"type": t, "status": "False", "reason": f"KubeletHas{r}"}
                for t, r in (
                    ("MemoryPressure", "SufficientMemory"),
                    ("DiskPressure", "NoDiskPressure"),
                    ("PIDPressure", "SufficientPID"),
                )
            ]
            + [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                    "lastTransitionTime": ts(created + timedelta(minutes=2)),
                }
            ],
            "nodeInfo": {
                "kubeletVersion": "v1.33.4",
                "containerRuntimeVersion": "containerd://2.0.5",
            },
        },
    }


def template_hash(template: dict[str, Any]) -> str:
    digest = hashlib.sha256(repr(template).encode()).hexdigest()
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(alphabet[int(digest[i : i + 2], 16) % len(alphabet)] for i in range(0, 20, 2))


def deployment(
    ns: str,
    name: str,
    template: dict[str, Any],
    *,
    replicas: int,
    revision: int,
    created: datetime,
    updated: datetime,
    ready: int | None = None,
) -> dict[str, Any]:
    ready = replicas if ready is None else ready
    labels = template["metadata"]["labels"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": uid("deploy" + ns + name),
            "generation": revision,
            "resourceVersion": str(4_000_000 + revision * 137),
            "creationTimestamp": ts(created),
            "labels": {"app": labels["app"]},
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
        },
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": {"app": labels["app"]}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "template": template,
        },
        "status": {
            "observedGeneration": revision,
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "conditions": [
                {
                    "type": "Available",
                    "status": "True",
                    "reason": "MinimumReplicasAvailable",
                    "message": "Deployment has minimum availability.",
                    "lastUpdateTime": ts(updated),
                    "lastTransitionTime": ts(created + timedelta(minutes=1)),
                },
                {
                    "type": "Progressing",
                    "status": "True",
                    "reason": "NewReplicaSetAvailable",
                    "message": f'ReplicaSet "{name}-{template_hash(template)}" has successfully '
                    "progressed.",
                    "lastUpdateTime": ts(updated),
                    "lastTransitionTime": ts(created),
                },
            ],
        },
    }


def replicaset(
    deploy: dict[str, Any],
    template: dict[str, Any],
    *,
    revision: int,
    created: datetime,
    replicas: int,
) -> dict[str, Any]:
    name = deploy["metadata"]["name"]
    ns = deploy["metadata"]["namespace"]
    hashed = template_hash(template)
    labelled = copy.deepcopy(template)
    labelled["metadata"]["labels"]["pod-template-hash"] = hashed
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{name}-{hashed}",
            "namespace": ns,
            "uid": uid("rs" + ns + name + hashed),
            "creationTimestamp": ts(created),
            "generation": 1 if replicas else 2,
            "labels": dict(labelled["metadata"]["labels"]),
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": str(deploy["spec"]["replicas"]),
                "deployment.kubernetes.io/max-replicas": str(deploy["spec"]["replicas"] + 1),
                "deployment.kubernetes.io/revision": str(revision),
            },
            "ownerReferences": [
                {**owner("Deployment", name, "apps/v1"), "uid": deploy["metadata"]["uid"]}
            ],
        },
        "spec": {
            "replicas": replicas,
            "selector": {
                "matchLabels": {
                    "app": template["metadata"]["labels"]["app"],
                    "pod-template-hash": hashed,
                }
            },
            "template": labelled,
        },
        "status": {
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "observedGeneration": 1 if replicas else 2,
        },
    }


def pod_of(
    rs: dict[str, Any],
    suffix: str,
    *,
    node: str,
    ip: str,
    host_ip: str,
    created: datetime,
    restarts: dict[str, int] | None = None,
) -> dict[str, Any]:
    template = rs["spec"]["template"]
    ns = rs["metadata"]["namespace"]
    name = f"{rs['metadata']['name']}-{suffix}"
    spec = copy.deepcopy(template["spec"])
    spec.update(
        {
            "nodeName": node,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                }
            ],
        }
    )
    started = created + timedelta(seconds=14)
    statuses = []
    for container in spec["containers"]:
        image = container["image"]
        statuses.append(
            {
                "name": container["name"],
                "ready": True,
                "started": True,
                "restartCount": (restarts or {}).get(container["name"], 0),
                "image": image,
                "imageID": image.split(":")[0]
                + "@sha256:"
                + hashlib.sha256(image.encode()).hexdigest(),
                "containerID": "containerd://"
                + hashlib.sha256((name + container["name"]).encode()).hexdigest(),
                "state": {"running": {"startedAt": ts(started)}},
            }
        )
    ready_at = ts(started + timedelta(seconds=11))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": rs["metadata"]["name"] + "-",
            "namespace": ns,
            "uid": uid("pod" + ns + name),
            "resourceVersion": str(7_100_000 + len(name) * 31),
            "creationTimestamp": ts(created),
            "labels": dict(template["metadata"]["labels"]),
            "ownerReferences": [
                {
                    **owner("ReplicaSet", rs["metadata"]["name"], "apps/v1"),
                    "uid": rs["metadata"]["uid"],
                }
            ],
        },
        "spec": spec,
        "status": {
            "phase": "Running",
            "qosClass": "Burstable",
            "conditions": [
                {
                    "type": "PodReadyToStartContainers",
                    "status": "True",
                    "lastTransitionTime": ts(started),
                },
                {"type": "Initialized", "status": "True", "lastTransitionTime": ts(created)},
                {"type": "Ready", "status": "True", "lastTransitionTime": ready_at},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": ready_at},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": ts(created)},
            ],
            "hostIP": host_ip,
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": ts(created),
            "containerStatuses": statuses,
        },
    }


def service(
    ns: str, name: str, app: str, port: int, target: int, cluster_ip: str, created: datetime
):
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": uid("svc" + ns + name),
            "creationTimestamp": ts(created),
            "labels": {"app": app},
        },
        "spec": {
            "type": "ClusterIP",
            "clusterIP": cluster_ip,
            "clusterIPs": [cluster_ip],
            "selector": {"app": app},
            "ports": [{"name": "http", "port": port, "targetPort": target, "protocol": "TCP"}],
        },
        "status": {"loadBalancer": {}},
    }


def configmap(
    ns: str, name: str, data: dict[str, str], created: datetime, updated: datetime, rv: int
):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": uid("cm" + ns + name),
            "resourceVersion": str(rv),
            "creationTimestamp": ts(created),
            "managedFields": [
                {
                    "manager": "argocd-controller",
                    "operation": "Apply" if updated == created else "Update",
                    "apiVersion": "v1",
                    "time": ts(updated),
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:data": {f"f:{key}": {} for key in data}},
                }
            ],
        },
        "data": data,
    }


def normal_event(obj: dict[str, Any], reason: str, message: str, at: datetime, source: str):
    meta = obj["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{meta['name']}.{hashlib.sha256((reason + message).encode()).hexdigest()[:16]}",
            "namespace": meta.get("namespace", "default"),
            "creationTimestamp": ts(at),
        },
        "involvedObject": {
            "apiVersion": obj["apiVersion"],
            "kind": obj["kind"],
            "name": meta["name"],
            "namespace": meta.get("namespace"),
            "uid": meta["uid"],
        },
        "reason": reason,
        "message": message,
        "source": {"component": source},
        "firstTimestamp": ts(at),
        "lastTimestamp": ts(at),
        "count": 1,
        "type": "Normal"
        if reason not in ("FailedGetResourceMetric", "FailedComputeMetricsReplicas")
        else "Warning",
        "reportingComponent": source,
    }
