"""Writes evals/incidents/gpu-xid-74-nvlink-operator-labels: DCGM series scraped by the
gpu-operator's ServiceMonitor (`honorLabels: false`): `namespace`/`pod`/`container` name the
dcgm-exporter pod, `exported_*` the workload. Run: python evals/generators/gpu_xid_operator_labels.py
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from k8s import event, gpu_uuid, node, owner, pod, write_list, write_series

ID = "gpu-xid-74-nvlink-operator-labels"
OUT = Path(__file__).resolve().parents[1] / "incidents" / ID
TIME = datetime(2026, 9, 14, 3, 47, tzinfo=UTC)
XID_AT = TIME - timedelta(minutes=9)
NS = "inference"
STS = "qwen3-235b-vllm"
MODEL = "NVIDIA H200"
DRIVER = "580.82.07"
NODES = {
    "h200-sxm-14": ("10.30.4.14", "10.244.14.7", "nvidia-dcgm-exporter-8q2wd"),
    "h200-sxm-15": ("10.30.4.15", "10.244.15.9", "nvidia-dcgm-exporter-tx5bm"),
}
# replica -> (node, GPU indexes)
REPLICAS = {0: ("h200-sxm-15", [0, 1, 2, 3]), 1: ("h200-sxm-14", [4, 5, 6, 7])}
BAD = ("h200-sxm-14", 6)


def series() -> list[tuple[str, dict[str, str], str]]:
    rows = []
    for node_name, (_, exporter_ip, exporter) in NODES.items():
        for gpu in range(8):
            held = next((r for r, (n, g) in REPLICAS.items() if n == node_name and gpu in g), None)
            labels = {
                "gpu": str(gpu),
                "UUID": gpu_uuid(f"{node_name}/{gpu}"),
                "pci_bus_id": f"00000000:{[0x18, 0x2A, 0x3A, 0x5D, 0x9A, 0xAB, 0xBA, 0xDB][gpu]:02X}:00.0",
                "device": f"nvidia{gpu}",
                "modelName": MODEL,
                "Hostname": node_name,
                "DCGM_FI_DRIVER_VERSION": DRIVER,
            }
            if held is not None:
                labels |= {
                    "exported_container": "vllm",
                    "exported_namespace": NS,
                    "exported_pod": f"{STS}-{held}",
                }
            labels |= {
                "container": "nvidia-dcgm-exporter",
                "endpoint": "gpu-metrics",
                "instance": f"{exporter_ip}:9400",
                "job": "nvidia-dcgm-exporter",
                "namespace": "gpu-operator",
                "pod": exporter,
                "service": "nvidia-dcgm-exporter",
            }
            crashed = held == 1  # replica 1 crash-loops since the Xid: its GPUs idle
            busy = held is not None

            def v(normal: str, after: str, crashed: bool = crashed) -> str:
                return f"{normal}x101 {after}x17" if crashed else f"{normal}x119"

            xid = "0x101 74x17" if (node_name, gpu) == BAD else "0x119"
            rows += [
                ("DCGM_FI_DEV_XID_ERRORS", labels, xid),
                ("DCGM_FI_DEV_GPU_UTIL", labels, v("93", "0") if busy else "0x119"),
                ("DCGM_FI_DEV_GPU_TEMP", labels, v("61", "41") if busy else "33x119"),
                ("DCGM_FI_DEV_POWER_USAGE", labels, v("512", "118") if busy else "92x119"),
                ("DCGM_FI_DEV_SM_CLOCK", labels, v("1980", "345") if busy else "345x119"),
                ("DCGM_FI_DEV_FB_USED", labels, v("128310", "0") if busy else "0x119"),
                ("DCGM_FI_DEV_FB_FREE", labels, v("14461", "142771") if busy else "142771x119"),
            ]
    return rows


def cluster() -> None:
    created = TIME - timedelta(days=12)
    nodes = [
        node(n, ip=ip, gpus=8, product="NVIDIA-H200", created=created)
        for n, (ip, _, _) in NODES.items()
    ]
    write_list(OUT / "kubernetes" / "nodes.yaml", nodes)
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": STS,
            "namespace": NS,
            "uid": owner("StatefulSet", STS, "apps/v1")["uid"],
            "creationTimestamp": "2026-09-10T09:00:00Z",
            "generation": 3,
            "labels": {"app.kubernetes.io/name": STS},
        },
        "spec": {
            "replicas": 2,
            "serviceName": STS,
            "selector": {"matchLabels": {"app.kubernetes.io/name": STS}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": STS}},
                "spec": {"containers": [{"name": "vllm", "image": "vllm/vllm-openai:v0.11.2"}]},
            },
        },
        "status": {
            "replicas": 2,
            "readyReplicas": 1,
            "currentReplicas": 2,
            "updatedReplicas": 2,
            "availableReplicas": 1,
            "observedGeneration": 3,
        },
    }
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": STS,
            "namespace": NS,
            "uid": owner("Service", STS, "v1")["uid"],
            "creationTimestamp": "2026-09-10T09:00:00Z",
        },
        "spec": {
            "selector": {"app.kubernetes.io/name": STS},
            "clusterIP": "10.96.41.12",
            "ports": [{"name": "http", "port": 8000, "targetPort": 8000, "protocol": "TCP"}],
        },
    }
    exporter_ds = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "name": "nvidia-dcgm-exporter",
            "namespace": "gpu-operator",
            "uid": owner("DaemonSet", "nvidia-dcgm-exporter", "apps/v1")["uid"],
            "creationTimestamp": "2026-09-02T10:00:00Z",
        },
        "spec": {
            "selector": {"matchLabels": {"app": "nvidia-dcgm-exporter"}},
            "template": {
                "metadata": {"labels": {"app": "nvidia-dcgm-exporter"}},
                "spec": {
                    "containers": [
                        {
                            "name": "nvidia-dcgm-exporter",
                            "image": "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless",
                        }
                    ]
                },
            },
        },
        "status": {
            "desiredNumberScheduled": 2,
            "currentNumberScheduled": 2,
            "numberReady": 2,
            "numberAvailable": 2,
            "updatedNumberScheduled": 2,
        },
    }
    write_list(OUT / "kubernetes" / "workloads.yaml", [sts, svc, exporter_ds])
    pods = []
    args = [
        "--model",
        "Qwen/Qwen3-235B-A22B-FP8",
        "--tensor-parallel-size",
        "4",
        "--max-model-len",
        "32768",
        "--gpu-memory-utilization",
        "0.9",
    ]
    resources = {
        "limits": {"nvidia.com/gpu": "4", "memory": "600Gi"},
        "requests": {"cpu": "32", "memory": "480Gi", "nvidia.com/gpu": "4"},
    }
    crash = {
        "exit": 1,
        "reason": "Error",
        "started": TIME - timedelta(minutes=3, seconds=5),
        "finished": TIME - timedelta(minutes=1, seconds=50),
        "backoff": "1m20s",
    }
    for replica, (node_name, _) in REPLICAS.items():
        host_ip = NODES[node_name][0]
        pods.append(
            pod(
                f"{STS}-{replica}",
                NS,
                node_name=node_name,
                ip=f"10.244.{14 + (replica == 0)}.{40 + replica}",
                host_ip=host_ip,
                created=TIME - timedelta(days=3, hours=replica),
                container="vllm",
                image="vllm/vllm-openai:v0.11.2",
                owner_ref=owner("StatefulSet", STS, "apps/v1"),
                labels={
                    "app.kubernetes.io/name": STS,
                    "statefulset.kubernetes.io/pod-name": f"{STS}-{replica}",
                },
                resources=resources,
                args=args,
                restarts=3 if replica == 1 else 0,
                crash=crash if replica == 1 else None,
                ready=replica != 1,
            )
        )
    for node_name, (host_ip, ip, exporter) in NODES.items():
        pods.append(
            pod(
                exporter,
                "gpu-operator",
                node_name=node_name,
                ip=ip,
                host_ip=host_ip,
                created=TIME - timedelta(days=12),
                container="nvidia-dcgm-exporter",
                image="nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless",
                owner_ref=owner("DaemonSet", "nvidia-dcgm-exporter", "apps/v1"),
                labels={"app": "nvidia-dcgm-exporter"},
                resources={"requests": {"cpu": "100m", "memory": "128Mi"}},
            )
        )
    write_list(OUT / "kubernetes" / "pods.yaml", pods)
    bad = pods[1]
    events = [
        event(
            bad,
            "BackOff",
            "Back-off restarting failed container vllm in pod "
            f"{STS}-1_{NS}({bad['metadata']['uid']})",
            first=XID_AT + timedelta(minutes=2),
            last=TIME - timedelta(seconds=40),
            count=9,
            kind="Warning",
            host="h200-sxm-14",
        ),
        event(
            bad,
            "Started",
            "Started container vllm",
            first=XID_AT + timedelta(minutes=1),
            last=TIME - timedelta(minutes=3, seconds=5),
            count=3,
            host="h200-sxm-14",
        ),
    ]
    write_list(OUT / "kubernetes" / "events.yaml", events)


LOG_PREVIOUS = """\
INFO 09-14 03:43:08 [__init__.py:216] Automatically detected platform cuda.
INFO 09-14 03:43:12 [api_server.py:1885] vLLM API server version 0.11.2
INFO 09-14 03:43:12 [utils.py:328] non-default args: {'model': 'Qwen/Qwen3-235B-A22B-FP8', 'tensor_parallel_size': 4, 'max_model_len': 32768, 'gpu_memory_utilization': 0.9}
INFO 09-14 03:43:20 [config.py:1604] Using max model len 32768
INFO 09-14 03:43:24 [core.py:644] Waiting for init message from front-end.
INFO 09-14 03:43:31 [parallel_state.py:1208] rank 0 in world size 4 is assigned as DP rank 0, PP rank 0, TP rank 0, EP rank 0
INFO 09-14 03:43:31 [pynccl.py:70] vLLM is using nccl==2.27.3
(Worker_TP2 pid=233) WARNING 09-14 03:43:34 [custom_all_reduce.py:143] Custom allreduce is disabled because your platform lacks GPU P2P capability or P2P test failed.
(Worker_TP2 pid=233) ERROR 09-14 03:43:38 [multiproc_executor.py:671] WorkerProc failed to start.
(Worker_TP2 pid=233) ERROR 09-14 03:43:38 [multiproc_executor.py:671] RuntimeError: NCCL error: unhandled cuda error (run with NCCL_DEBUG=INFO for details)
(Worker_TP2 pid=233) ERROR 09-14 03:43:38 [multiproc_executor.py:671] torch.AcceleratorError: CUDA error: uncorrectable NVLink error detected during the execution
ERROR 09-14 03:43:39 [core.py:708] EngineCore failed to start.
ERROR 09-14 03:43:39 [core.py:708] RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}
"""
LOG_REPLICA0 = """\
INFO 09-14 03:46:31 [loggers.py:123] Engine 000: Avg prompt throughput: 5120.4 tokens/s, Avg generation throughput: 1893.7 tokens/s, Running: 61 reqs, Waiting: 0 reqs, GPU KV cache usage: 38.2%
INFO 09-14 03:46:41 [loggers.py:123] Engine 000: Avg prompt throughput: 6011.9 tokens/s, Avg generation throughput: 2010.2 tokens/s, Running: 66 reqs, Waiting: 0 reqs, GPU KV cache usage: 41.0%
"""


def incident() -> None:
    exporter = NODES["h200-sxm-14"]
    labels = {
        "alertname": "GpuXidError",
        "severity": "critical",
        "gpu": "6",
        "UUID": gpu_uuid("h200-sxm-14/6"),
        "modelName": MODEL,
        "Hostname": "h200-sxm-14",
        "device": "nvidia6",
        "DCGM_FI_DRIVER_VERSION": DRIVER,
        "exported_namespace": NS,
        "exported_pod": f"{STS}-1",
        "exported_container": "vllm",
        "namespace": "gpu-operator",
        "pod": exporter[2],
        "container": "nvidia-dcgm-exporter",
        "instance": f"{exporter[1]}:9400",
        "job": "nvidia-dcgm-exporter",
        "service": "nvidia-dcgm-exporter",
        "endpoint": "gpu-metrics",
    }
    body = {
        "id": ID,
        "title": "Xid 74 (NVLink) on an H200 under a vLLM replica, with gpu-operator scrape labels",
        "time": TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "alert": {
            "status": "firing",
            "labels": labels,
            "annotations": {
                "summary": "GPU 6 on h200-sxm-14 reported an Xid error",
                "description": "DCGM_FI_DEV_XID_ERRORS is 74 for GPU 6 on h200-sxm-14.",
            },
            "startsAt": (XID_AT + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "fingerprint": "c41e7a90b2d35f18",
        },
        "sources": ["kubernetes", "prometheus"],
        "expected": {
            "root_cause": "GPU 6 on h200-sxm-14 reported Xid 74 (NVLink error), a hardware fault; it "
            "breaks pod inference/qwen3-235b-vllm-1 (tensor-parallel rank on GPUs 4-7), "
            "which crash-loops with 'uncorrectable NVLink error'. The series' namespace/pod "
            "name the dcgm-exporter (gpu-operator), exported_* the workload.",
            "must_mention": [
                ["xid ?74", "nvlink"],
                ["h200-sxm-14"],
                ["qwen3-235b-vllm-1"],
                ["gpu[ -]?6\\b", "GPU 6"],
            ],
            "remediation_must_mention": ["cordon|drain", "reset|reboot|replace"],
            "runbook": "gpu-xid-errors",
        },
        "tags": ["gpu", "hardware", "nvlink", "gpu-operator", "label-conventions"],
    }
    (OUT / "incident.yaml").write_text(yaml.safe_dump(body, sort_keys=False, width=110))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cluster()
    write_series(OUT / "prometheus" / "series.yaml", series())
    logs = OUT / "logs" / NS
    (logs / f"{STS}-1").mkdir(parents=True, exist_ok=True)
    (logs / f"{STS}-1" / "vllm.previous.log").write_text(LOG_PREVIOUS)
    (logs / f"{STS}-1" / "vllm.log").write_text(LOG_PREVIOUS.split("(Worker_TP2")[0])
    (logs / f"{STS}-0").mkdir(parents=True, exist_ok=True)
    (logs / f"{STS}-0" / "vllm.log").write_text(LOG_REPLICA0)
    incident()


if __name__ == "__main__":
    main()
