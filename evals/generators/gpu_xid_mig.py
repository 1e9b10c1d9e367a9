"""Writes evals/incidents/gpu-xid-13-mig-ocr-worker: one tenant's pod on a MIG instance hits
Xid 13 after a new image; the exporter runs a slim custom counters CSV (no GPU_UTIL, no
temperature, no power, no FB_USED: MIG instances report none of the first anyway).
Run: python evals/generators/gpu_xid_mig.py
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from k8s import event, gpu_uuid, node, owner, pod, write_list, write_series

ID = "gpu-xid-13-mig-ocr-worker"
OUT = Path(__file__).resolve().parents[1] / "incidents" / ID
TIME = datetime(2026, 11, 19, 7, 58, tzinfo=UTC)
NS = "nlp-tenants"
NODE = "a100-mig-n03"
OTHER = "a100-mig-n04"
MODEL = "NVIDIA A100-SXM4-80GB"
BAD_POD = "doc-ocr-worker-6d9c7b8f4-kx2lp"
# (gpu, GPU_I_ID, profile, memory MiB) -> pod holding it ("" = free)
INSTANCES = {
    ("0", "7", "1g.10gb", 9856): "sentiment-api-5f7d8c9b6-2xq4r",
    ("0", "8", "1g.10gb", 9856): "ner-tagger-7c9f6d5b8-mk2tn",
    ("0", "9", "1g.10gb", 9856): "",
    ("0", "11", "1g.10gb", 9856): BAD_POD,
    ("0", "12", "1g.10gb", 9856): "embed-small-86b5d4f7c9-vr8jw",
    ("0", "13", "1g.10gb", 9856): "",
    ("0", "14", "1g.10gb", 9856): "",
    ("1", "1", "3g.40gb", 40192): "summarizer-7b-5c8d7f6b9-4hx9p",
    ("1", "2", "3g.40gb", 40192): "summarizer-7b-5c8d7f6b9-tq7ld",
}
CONTAINERS = {
    "sentiment-api": "api",
    "ner-tagger": "tagger",
    "doc-ocr-worker": "ocr",
    "embed-small": "embedder",
    "summarizer-7b": "server",
}


def deployment_of(pod_name: str) -> str:
    return pod_name.rsplit("-", 2)[0]


def series() -> list[tuple[str, dict[str, str], str]]:
    rows = []
    for (gpu, instance, profile, memory), held in INSTANCES.items():
        labels = {
            "gpu": gpu,
            "UUID": gpu_uuid(f"{NODE}/{gpu}"),
            "pci_bus_id": f"00000000:{[0x07, 0x0F][int(gpu)]:02X}:00.0",
            "device": f"nvidia{gpu}",
            "modelName": MODEL,
            "GPU_I_PROFILE": profile,
            "GPU_I_ID": instance,
            "Hostname": NODE,
            "DCGM_FI_DRIVER_VERSION": "580.82.07",
            "container": CONTAINERS[deployment_of(held)] if held else "",
            "namespace": NS if held else "",
            "pod": held,
            "job": "dcgm-exporter",
            "instance": f"10.244.3.{int(gpu) + 5}:9400",
        }
        crashing = held == BAD_POD
        used = 0 if not held else (2100 if crashing else int(memory * 0.72))
        active = "0" if not held else ("0.81x85 0x33" if crashing else "0.64x119")
        free = f"{memory - used}x119" if not crashing else f"{memory - 6900}x85 {memory - 120}x33"
        rows += [
            ("DCGM_FI_DEV_FB_FREE", labels, free),
            ("DCGM_FI_DEV_SM_CLOCK", labels, "1410x119" if held else "210x119"),
            ("DCGM_FI_DEV_XID_ERRORS", labels, "0x85 13x33" if crashing else "0x119"),
            ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", labels, active if held else "0x119"),
            ("DCGM_FI_PROF_DRAM_ACTIVE", labels, "0.21x119" if held and not crashing else "0x119"),
        ]
    for node_name, gpus in ((NODE, range(2, 8)), (OTHER, range(8))):
        for index in gpus:
            labels = {
                "gpu": str(index),
                "UUID": gpu_uuid(f"{node_name}/{index}"),
                "pci_bus_id": f"00000000:{[0x07, 0x0F, 0x47, 0x4E, 0x87, 0x90, 0xB7, 0xBD][index]:02X}:00.0",
                "device": f"nvidia{index}",
                "modelName": MODEL,
                "Hostname": node_name,
                "DCGM_FI_DRIVER_VERSION": "580.82.07",
                "container": "",
                "namespace": "",
                "pod": "",
                "job": "dcgm-exporter",
                "instance": f"10.244.{3 if node_name == NODE else 4}.5:9400",
            }
            rows += [
                ("DCGM_FI_DEV_FB_FREE", labels, "81037x119"),
                ("DCGM_FI_DEV_SM_CLOCK", labels, "210x119"),
                ("DCGM_FI_DEV_XID_ERRORS", labels, "0x119"),
                ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", labels, "0x119"),
                ("DCGM_FI_PROF_DRAM_ACTIVE", labels, "0x119"),
            ]
    return rows


OCR_PREVIOUS = """\
2026-11-19T07:55:41Z INFO  ocr-worker 2.7.0 starting (torch 2.8.0+cu128, device cuda:0 = MIG 1g.10gb)
2026-11-19T07:55:47Z INFO  loaded model /models/donut-ocr-v3 (fp16, 1.9 GiB)
2026-11-19T07:55:48Z INFO  compiled extension roi_align_v2 for sm_80
2026-11-19T07:55:48Z INFO  polling queue ocr-jobs (prefetch 4)
2026-11-19T07:55:51Z WARNING page 3 of job 88120 is 14032x9921 px, above max_side 8192; tiling is off in this release
2026-11-19T07:55:52Z ERROR batch for job 88120 failed
Traceback (most recent call last):
  File "/app/ocr_worker/pipeline.py", line 214, in run_batch
    boxes = roi_align_v2(features, rois, output_size=(32, 128))
  File "/app/ocr_worker/ops.py", line 61, in roi_align_v2
    return _C.roi_align_forward(features, rois, *output_size)
RuntimeError: CUDA error: device-side assert triggered
CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.
/app/csrc/roi_align_v2.cu:212: roi_align_forward_kernel: block: [431,0,0], thread: [96,0,0] Assertion `y_low < height` failed.
2026-11-19T07:55:52Z ERROR worker exiting with code 1
"""


def cluster() -> None:
    created = TIME - timedelta(days=60)
    write_list(
        OUT / "kubernetes" / "nodes.yaml",
        [
            node(
                NODE,
                ip="10.20.1.3",
                gpus=0,
                product="NVIDIA-A100-SXM4-80GB",
                created=created,
                extra_labels={
                    "nvidia.com/mig.config": "custom-tenants",
                    "nvidia.com/mig.strategy": "mixed",
                    "nvidia.com/mig.config.state": "success",
                },
            ),
            node(OTHER, ip="10.20.1.4", gpus=8, product="NVIDIA-A100-SXM4-80GB", created=created),
        ],
    )
    deployments, pods = [], []
    for (_, _, profile, _), held in INSTANCES.items():
        if not held:
            continue
        deploy = deployment_of(held)
        container = CONTAINERS[deploy]
        image = (
            f"registry.tenants.lan/{deploy}:{'2.7.0' if deploy == 'doc-ocr-worker' else '1.3.1'}"
        )
        if not any(d["metadata"]["name"] == deploy for d in deployments):
            replicas = sum(1 for h in INSTANCES.values() if h and deployment_of(h) == deploy)
            bad = deploy == "doc-ocr-worker"
            deployments.append(
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {
                        "name": deploy,
                        "namespace": NS,
                        "uid": owner("Deployment", deploy, "apps/v1")["uid"],
                        "creationTimestamp": "2026-10-02T09:00:00Z",
                        "generation": 7 if bad else 2,
                        "labels": {"app": deploy},
                        "annotations": {"deployment.kubernetes.io/revision": "7" if bad else "2"},
                    },
                    "spec": {
                        "replicas": replicas,
                        "selector": {"matchLabels": {"app": deploy}},
                        "template": {
                            "metadata": {"labels": {"app": deploy}},
                            "spec": {"containers": [{"name": container, "image": image}]},
                        },
                    },
                    "status": {
                        "replicas": replicas,
                        "readyReplicas": 0 if bad else replicas,
                        "availableReplicas": 0 if bad else replicas,
                        "unavailableReplicas": replicas if bad else 0,
                        "updatedReplicas": replicas,
                        "observedGeneration": 7 if bad else 2,
                    },
                }
            )
        crashing = held == BAD_POD
        pods.append(
            pod(
                held,
                NS,
                node_name=NODE,
                ip=f"10.244.3.{40 + len(pods)}",
                host_ip="10.20.1.3",
                created=TIME - (timedelta(minutes=18) if crashing else timedelta(days=6)),
                container=container,
                image=image,
                owner_ref=owner("ReplicaSet", held.rsplit("-", 1)[0], "apps/v1"),
                labels={"app": deploy, "pod-template-hash": held.rsplit("-", 2)[1]},
                resources={
                    "limits": {f"nvidia.com/mig-{profile}": "1"},
                    "requests": {"cpu": "4", "memory": "24Gi", f"nvidia.com/mig-{profile}": "1"},
                },
                restarts=5 if crashing else 0,
                crash={
                    "exit": 1,
                    "reason": "Error",
                    "started": TIME - timedelta(minutes=2, seconds=19),
                    "finished": TIME - timedelta(minutes=2, seconds=8),
                    "backoff": "2m40s",
                }
                if crashing
                else None,
                ready=not crashing,
            )
        )
    write_list(OUT / "kubernetes" / "workloads.yaml", deployments)
    write_list(OUT / "kubernetes" / "pods.yaml", pods)
    bad = next(p for p in pods if p["metadata"]["name"] == BAD_POD)
    write_list(
        OUT / "kubernetes" / "events.yaml",
        [
            event(
                bad,
                "Pulled",
                'Container image "registry.tenants.lan/doc-ocr-worker:2.7.0" already present on machine',
                first=TIME - timedelta(minutes=17),
                last=TIME - timedelta(minutes=2, seconds=20),
                count=6,
                host=NODE,
            ),
            event(
                bad,
                "BackOff",
                f"Back-off restarting failed container ocr in pod {BAD_POD}_{NS}({bad['metadata']['uid']})",
                first=TIME - timedelta(minutes=16),
                last=TIME - timedelta(seconds=30),
                count=21,
                kind="Warning",
                host=NODE,
            ),
        ],
    )


def incident() -> None:
    labels = {
        "alertname": "GpuXidError",
        "severity": "warning",
        "Hostname": NODE,
        "gpu": "0",
        "GPU_I_ID": "11",
        "GPU_I_PROFILE": "1g.10gb",
        "UUID": gpu_uuid(f"{NODE}/0"),
        "modelName": MODEL,
        "device": "nvidia0",
        "namespace": NS,
        "pod": BAD_POD,
        "container": "ocr",
        "job": "dcgm-exporter",
        "instance": "10.244.3.5:9400",
    }
    body = {
        "id": ID,
        "title": "A tenant's OCR worker on a MIG 1g.10gb instance hits Xid 13 after a new release",
        "time": TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "alert": {
            "status": "firing",
            "labels": labels,
            "annotations": {
                "summary": f"Xid error on GPU 0 (MIG 11) of {NODE}",
                "description": "DCGM_FI_DEV_XID_ERRORS is 13 on MIG instance 11 (1g.10gb) of GPU 0.",
            },
            "startsAt": "2026-11-19T07:42:11Z",
            "fingerprint": "7be0c2d94a1f6e35",
        },
        "sources": ["kubernetes", "prometheus"],
        "expected": {
            "root_cause": "The doc-ocr-worker 2.7.0 code fails a device-side assert in its roi_align_v2 kernel "
            "(a page above max_side with tiling off); Xid 13 on MIG instance 11 (1g.10gb) of GPU 0 on "
            "a100-mig-n03 is that application error. The GPU and the other tenants' MIG instances are "
            "healthy and reporting.",
            "must_mention": [
                ["xid ?13", "GR_EXCEPTION", "graphics engine exception"],
                ["not (a )?hardware", "(the|its) code", "code (bug|error|fault)"],
                ["doc-ocr-worker"],
                ["MIG", "1g\\.10gb", "instance 11"],
            ],
            "remediation_must_mention": [["fix", "roll ?back", "debug", "compute-sanitizer"]],
            "runbook": "gpu-xid-errors",
        },
        "tags": ["gpu", "mig", "application", "custom-counters"],
    }
    (OUT / "incident.yaml").write_text(yaml.safe_dump(body, sort_keys=False, width=110))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cluster()
    write_series(OUT / "prometheus" / "series.yaml", series())
    log_dir = OUT / "logs" / NS / BAD_POD
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / "ocr.previous.log").write_text(OCR_PREVIOUS)
    (log_dir / "ocr.log").write_text("")
    incident()


if __name__ == "__main__":
    main()
