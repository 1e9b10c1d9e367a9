"""Kubernetes objects and DCGM series for hand-made incident bundles, as the API server and
dcgm-exporter would write them. Used by the scripts next to this file; the bundles they write
are committed, so nothing here runs in CI."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml


def uid(seed: str) -> str:
    """A stable UUID from a seed (same bundle, same uids on every run)."""
    return str(uuid.UUID(hashlib.sha256(seed.encode()).hexdigest()[:32]))


def ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def gpu_uuid(seed: str) -> str:
    return "GPU-" + uid("gpu" + seed)


def node(name: str, *, ip: str, gpus: int, product: str, created: datetime, extra_labels=None):
    labels = {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "nvidia.com/gpu.present": "true",
        "nvidia.com/gpu.product": product,
        "nvidia.com/gpu.count": str(gpus),
        **(extra_labels or {}),
    }
    ready_since = ts(created + timedelta(minutes=3))
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "uid": uid("node" + name),
            "creationTimestamp": ts(created),
            "labels": labels,
        },
        "spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]},
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": ip},
                {"type": "Hostname", "address": name},
            ],
            "capacity": {
                "cpu": "128",
                "memory": "2063937Mi",
                "pods": "110",
                "nvidia.com/gpu": str(gpus),
            },
            "allocatable": {
                "cpu": "127",
                "memory": "2000000Mi",
                "pods": "110",
                "nvidia.com/gpu": str(gpus),
            },
            "conditions": [
                {
                    "type": t,
                    "status": "False",
                    "reason": r,
                    "lastHeartbeatTime": ready_since,
                    "lastTransitionTime": ready_since,
                    "message": m,
                }
                for t, r, m in (
                    (
                        "MemoryPressure",
                        "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory available",
                    ),
                    ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    (
                        "PIDPressure",
                        "KubeletHasSufficientPID",
                        "kubelet has sufficient PID available",
                    ),
                )
            ]
            + [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                    "lastHeartbeatTime": ready_since,
                    "lastTransitionTime": ready_since,
                }
            ],
            "nodeInfo": {
                "kubeletVersion": "v1.34.2",
                "containerRuntimeVersion": "containerd://2.1.4",
                "osImage": "Ubuntu 24.04.2 LTS",
                "kernelVersion": "6.8.0-60-generic",
                "architecture": "amd64",
                "operatingSystem": "linux",
            },
        },
    }


def owner(kind: str, name: str, api: str) -> dict[str, Any]:
    return {
        "apiVersion": api,
        "kind": kind,
        "name": name,
        "uid": uid(kind + name),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def pod(
    name: str,
    namespace: str,
    *,
    node_name: str,
    ip: str,
    host_ip: str,
    created: datetime,
    container: str,
    image: str,
    owner_ref: dict[str, Any] | None,
    labels: dict[str, str],
    resources: dict[str, Any],
    args: list[str] | None = None,
    restarts: int = 0,
    crash: dict[str, Any] | None = None,
    ready: bool = True,
) -> dict[str, Any]:
    """A pod; `crash` = {exit, reason, started, finished, backoff} puts it in CrashLoopBackOff."""
    started = created + timedelta(seconds=20)
    status_container: dict[str, Any] = {
        "name": container,
        "ready": ready,
        "restartCount": restarts,
        "started": ready,
        "image": image,
        "imageID": image.split(":")[0] + "@sha256:" + hashlib.sha256(image.encode()).hexdigest(),
        "containerID": "containerd://" + hashlib.sha256((name + container).encode()).hexdigest(),
    }
    conditions_time = ts(started)
    if crash:
        status_container["state"] = {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off {crash['backoff']} restarting failed container={container} "
                f"pod={name}_{namespace}({uid('pod' + namespace + name)})",
            }
        }
        status_container["lastState"] = {
            "terminated": {
                "exitCode": crash["exit"],
                "reason": crash["reason"],
                "startedAt": ts(crash["started"]),
                "finishedAt": ts(crash["finished"]),
            }
        }
        conditions_time = ts(crash["finished"])
    else:
        status_container["state"] = {"running": {"startedAt": ts(started)}}
    ready_text = "True" if ready else "False"
    conditions = [
        {"type": "Initialized", "status": "True", "lastTransitionTime": ts(created)},
        {"type": "Ready", "status": ready_text, "lastTransitionTime": conditions_time},
        {"type": "ContainersReady", "status": ready_text, "lastTransitionTime": conditions_time},
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": ts(created)},
    ]
    for cond in conditions[1:3]:
        if not ready:
            cond["reason"] = "ContainersNotReady"
            cond["message"] = f"containers with unready status: [{container}]"
    spec_container: dict[str, Any] = {
        "name": container,
        "image": image,
        "resources": resources,
        "imagePullPolicy": "IfNotPresent",
    }
    if args:
        spec_container["args"] = args
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "uid": uid("pod" + namespace + name),
        "creationTimestamp": ts(created),
        "labels": labels,
    }
    if owner_ref:
        metadata["ownerReferences"] = [owner_ref]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "containers": [spec_container],
            "nodeName": node_name,
            "restartPolicy": "Always" if owner_ref and owner_ref["kind"] != "Job" else "Never",
            "tolerations": [
                {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
            ],
            "schedulerName": "default-scheduler",
        },
        "status": {
            "phase": "Running",
            "conditions": conditions,
            "hostIP": host_ip,
            "podIP": ip,
            "startTime": ts(created),
            "containerStatuses": [status_container],
        },
    }


def event(
    obj: dict[str, Any],
    reason: str,
    message: str,
    *,
    first: datetime,
    last: datetime,
    count: int = 1,
    kind: str = "Normal",
    component: str = "kubelet",
    host: str | None = None,
) -> dict[str, Any]:
    meta = obj["metadata"]
    name = f"{meta['name']}.{hashlib.sha256((reason + message).encode()).hexdigest()[:16]}"
    source: dict[str, Any] = {"component": component}
    if host:
        source["host"] = host
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": name,
            "namespace": meta.get("namespace", "default"),
            "creationTimestamp": ts(first),
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
        "type": kind,
        "firstTimestamp": ts(first),
        "lastTimestamp": ts(last),
        "count": count,
        "source": source,
    }


def write_list(path: Path, items: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"apiVersion": "v1", "kind": "List", "items": items}
    path.write_text(yaml.safe_dump(body, sort_keys=False, width=120))


def labels_text(labels: dict[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def write_series(path: Path, series: list[tuple[str, dict[str, str], str]], interval: str = "30s"):
    """series.yaml from (metric, labels, values) rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {"series": metric + labels_text(labels), "values": values}
        for metric, labels, values in series
    ]
    path.write_text(
        yaml.safe_dump({"interval": interval, "series": rows}, sort_keys=False, width=400)
    )
