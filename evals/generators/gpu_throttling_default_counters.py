"""Writes evals/incidents/gpu-throttling-default-counters-flux-lora: a thermal slowdown seen
only through dcgm-exporter's default counters (etc/default-counters.csv): no clock-event
reasons, no slowdown threshold, no IPMI. Run: python evals/generators/gpu_throttling_default_counters.py
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from k8s import gpu_uuid, node, owner, pod, write_list, write_series

ID = "gpu-throttling-default-counters-flux-lora"
OUT = Path(__file__).resolve().parents[1] / "incidents" / ID
TIME = datetime(2026, 10, 3, 16, 5, tzinfo=UTC)
NS = "genai"
JOB = "flux-dev-lora"
MODEL = "NVIDIA A100-SXM4-80GB"
NODES = {"a100-pod2-n11": "10.12.8.11", "a100-pod2-n12": "10.12.8.12"}
PODS = {"a100-pod2-n11": f"{JOB}-0-q7mzd", "a100-pod2-n12": f"{JOB}-1-h2vkc"}
HOT = {("a100-pod2-n12", g) for g in (4, 5, 6, 7)}


def series() -> list[tuple[str, dict[str, str], str]]:
    rows = []
    for node_name in NODES:
        for gpu in range(8):
            labels = {
                "gpu": str(gpu),
                "UUID": gpu_uuid(f"{node_name}/{gpu}"),
                "pci_bus_id": f"00000000:{[0x07, 0x0F, 0x47, 0x4E, 0x87, 0x90, 0xB7, 0xBD][gpu]:02X}:00.0",
                "device": f"nvidia{gpu}",
                "modelName": MODEL,
                "Hostname": node_name,
                "DCGM_FI_DRIVER_VERSION": "570.172.08",
                "container": "trainer",
                "namespace": NS,
                "pod": PODS[node_name],
            }
            base = 63 + gpu % 4 * 2
            if (node_name, gpu) in HOT:
                temp = f"{base}x69 {base + 8}x9 {base + 16}x9 87x9 {89 + gpu % 2}x19"
                mem_temp = f"{base + 5}x69 {base + 12}x19 84x39"
                clock = f"1410x89 {1155 - gpu * 5}x9 {1080 - gpu * 10}x19"
                power = "396x89 305x9 281x19"
                tensor = "0.56x89 0.44x9 0.41x19"
            else:
                temp, mem_temp = f"{base}x119", f"{base + 5}x119"
                clock, power, tensor = "1410x119", f"{390 + gpu}x119", "0.56x119"
            rows += [
                ("DCGM_FI_DEV_SM_CLOCK", labels, clock),
                ("DCGM_FI_DEV_MEM_CLOCK", labels, "1593x119"),
                ("DCGM_FI_DEV_MEMORY_TEMP", labels, mem_temp),
                ("DCGM_FI_DEV_GPU_TEMP", labels, temp),
                ("DCGM_FI_DEV_POWER_USAGE", labels, power),
                ("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", labels, "0x119"),
                ("DCGM_FI_DEV_GPU_UTIL", labels, "98x119"),
                ("DCGM_FI_DEV_MEM_COPY_UTIL", labels, "41x119"),
                ("DCGM_FI_DEV_XID_ERRORS", labels, "0x119"),
                ("DCGM_FI_DEV_FB_FREE", labels, "19850x119"),
                ("DCGM_FI_DEV_FB_USED", labels, "61230x119"),
                ("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", labels, "0x119"),
                ("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", labels, "0x119"),
                ("DCGM_FI_DEV_ROW_REMAP_FAILURE", labels, "0x119"),
                ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", labels, "0.97x119"),
                ("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", labels, tensor),
                ("DCGM_FI_PROF_DRAM_ACTIVE", labels, "0.38x119"),
            ]
    return rows


TRAINER_LOG = """\
2026-10-03T15:20:12Z [rank0] step 6100 | loss 0.0841 | lr 1.0e-04 | 1.87 s/it | 17.1 img/s
2026-10-03T15:30:14Z [rank0] step 6420 | loss 0.0829 | lr 1.0e-04 | 1.88 s/it | 17.0 img/s
2026-10-03T15:40:15Z [rank0] step 6740 | loss 0.0817 | lr 1.0e-04 | 1.90 s/it | 16.8 img/s
2026-10-03T15:45:02Z [rank0] checkpoint saved to /ckpt/flux-dev-lora/step-6900
2026-10-03T15:50:31Z [rank0] step 7010 | loss 0.0809 | lr 1.0e-04 | 2.41 s/it | 13.3 img/s
2026-10-03T15:55:40Z [rank0] WARNING slow step: 2.78 s/it is 1.5x the median of the last 500 steps (1.88 s/it); slowest ranks 12, 13, 14, 15
2026-10-03T16:00:44Z [rank0] step 7240 | loss 0.0803 | lr 1.0e-04 | 2.79 s/it | 11.5 img/s
2026-10-03T16:04:50Z [rank0] WARNING slow step: 2.81 s/it is 1.5x the median of the last 500 steps (1.89 s/it); slowest ranks 12, 13, 14, 15
"""


def cluster() -> None:
    created = TIME - timedelta(days=40)
    write_list(
        OUT / "kubernetes" / "nodes.yaml",
        [
            node(n, ip=ip, gpus=8, product="NVIDIA-A100-SXM4-80GB", created=created)
            for n, ip in NODES.items()
        ],
    )
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": JOB,
            "namespace": NS,
            "uid": owner("Job", JOB, "batch/v1")["uid"],
            "creationTimestamp": "2026-10-03T12:10:00Z",
            "labels": {"app.kubernetes.io/name": JOB},
        },
        "spec": {
            "completions": 2,
            "parallelism": 2,
            "completionMode": "Indexed",
            "backoffLimit": 0,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "trainer", "image": "registry.genai.lan/flux-train:1.4.2"}
                    ],
                    "restartPolicy": "Never",
                }
            },
        },
        "status": {"active": 2, "ready": 2, "startTime": "2026-10-03T12:10:00Z"},
    }
    write_list(OUT / "kubernetes" / "workloads.yaml", [job])
    pods = []
    for index, (node_name, name) in enumerate(PODS.items()):
        pods.append(
            pod(
                PODS[node_name],
                NS,
                node_name=node_name,
                ip=f"10.244.{20 + index}.{31 + index}",
                host_ip=NODES[node_name],
                created=datetime(2026, 10, 3, 12, 10, tzinfo=UTC),
                container="trainer",
                image="registry.genai.lan/flux-train:1.4.2",
                owner_ref=owner("Job", JOB, "batch/v1"),
                labels={
                    "batch.kubernetes.io/job-name": JOB,
                    "job-name": JOB,
                    "batch.kubernetes.io/job-completion-index": str(index),
                },
                resources={
                    "limits": {"nvidia.com/gpu": "8", "memory": "900Gi"},
                    "requests": {"cpu": "96", "memory": "800Gi", "nvidia.com/gpu": "8"},
                },
                args=["--nnodes=2", "--nproc-per-node=8", f"--node-rank={index}", "train_lora.py"],
            )
        )
        del name
    write_list(OUT / "kubernetes" / "pods.yaml", pods)
    write_list(OUT / "kubernetes" / "events.yaml", [])


def incident() -> None:
    body = {
        "id": ID,
        "title": "LoRA training slows down while four A100s run hot; only dcgm-exporter's default counters",
        "time": TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "question": "Why has the flux-dev-lora training in namespace genai become slower over the last 20 minutes?",
        "sources": ["kubernetes", "prometheus"],
        "expected": {
            "root_cause": "GPUs 4-7 on a100-pod2-n12 are thermally throttled: 87-90 C with the SM clock down from "
            "1410 to ~1010-1060 MHz; the default counters export no clock-event reasons, so it is judged "
            "from temperature and the SM clock against its own peak; the synchronous job runs at the "
            "pace of ranks 12-15.",
            "must_mention": [
                ["throttl", "thermal"],
                ["a100-pod2-n12"],
                ["8[5-9] ?°?C", "9[0-9] ?°?C"],
                ["clock-event reasons are not exported", "CLOCKS_EVENT_REASONS"],
            ],
            "remediation_must_mention": [
                ["fan", "cooling", "airflow", "\\bBMC\\b"],
                ["cordon", "drain", "move", "exclude"],
            ],
            "runbook": "gpu-throttling",
        },
        "tags": ["gpu", "throttling", "thermal", "default-counters"],
    }
    (OUT / "incident.yaml").write_text(yaml.safe_dump(body, sort_keys=False, width=110))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cluster()
    write_series(OUT / "prometheus" / "series.yaml", series())
    log_dir = OUT / "logs" / NS / PODS["a100-pod2-n11"]
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / "trainer.log").write_text(TRAINER_LOG)
    incident()


if __name__ == "__main__":
    main()
