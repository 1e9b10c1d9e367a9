import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-07T08:10:00Z"
ID = "cronjob-suspended-model-eval-report"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"node-{i}.ml.acme.internal",
        f"zone-{i}",
        "n2-highmem-16",
        "2026-10-01T06:00:00Z",
        NOW,
        region="on-prem",
        cpu="16",
        alloc_cpu="15890m",
    )
    for i in (1, 2)
]
ns = "mlops"
ns_objs = [namespace(n) for n in ("kube-system", "default", ns)]


def spec(args):
    sp = pod_spec(
        [
            container(
                "eval",
                "registry.acme.internal/mlops/eval-report:1.9.0",
                None,
                {"cpu": "2", "memory": "4Gi"},
                {"memory": "6Gi"},
                args=args,
            )
        ]
    )
    sp["restartPolicy"] = "OnFailure"
    return sp


def cron(
    name, schedule, suspend, last, success, args, created="2026-06-01T10:00:00Z", policy="Forbid"
):
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": name,
            "namespace": ns,
            "creationTimestamp": created,
            "generation": 4 if suspend else 1,
            "uid": uid("CronJob", ns, name),
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": ""}
            if False
            else {},
        },
        "spec": {
            "concurrencyPolicy": policy,
            "failedJobsHistoryLimit": 1,
            "schedule": schedule,
            "successfulJobsHistoryLimit": 3,
            "suspend": suspend,
            "timeZone": "Europe/Berlin",
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 2,
                    "template": {"metadata": {"labels": {"app": name}}, "spec": spec(args)},
                }
            },
        },
        "status": {"lastScheduleTime": last, "lastSuccessfulTime": success},
    }


cjs = [
    cron(
        "model-eval-report",
        "30 5 * * *",
        True,
        "2026-11-29T04:30:00Z",
        "2026-11-29T05:02:41Z",
        ["report", "--suite", "nightly"],
    ),
    cron(
        "feature-drift-check",
        "0 * * * *",
        False,
        "2026-12-07T08:00:00Z",
        "2026-12-07T08:04:12Z",
        ["drift"],
        policy="Allow",
    ),
    cron(
        "registry-gc", "15 3 * * 0", False, "2026-12-06T02:15:00Z", "2026-12-06T02:31:09Z", ["gc"]
    ),
]


def job(name, owner, start, done):
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": ns,
            "creationTimestamp": start,
            "uid": uid("Job", ns, name),
            "labels": {"app": owner},
            "ownerReferences": [
                {
                    "apiVersion": "batch/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "CronJob",
                    "name": owner,
                    "uid": uid("CronJob", ns, owner),
                }
            ],
        },
        "spec": {
            "backoffLimit": 2,
            "completions": 1,
            "parallelism": 1,
            "template": {"metadata": {"labels": {"app": owner}}, "spec": spec([owner])},
        },
        "status": {
            "startTime": start,
            "completionTime": done,
            "succeeded": 1,
            "ready": 0,
            "terminating": 0,
            "uncountedTerminatedPods": {},
            "conditions": [
                {
                    "type": "SuccessCriteriaMet",
                    "status": "True",
                    "lastProbeTime": done,
                    "lastTransitionTime": done,
                },
                {
                    "type": "Complete",
                    "status": "True",
                    "lastProbeTime": done,
                    "lastTransitionTime": done,
                },
            ],
        },
    }


jobs = [
    job(
        "model-eval-report-29406990",
        "model-eval-report",
        "2026-11-29T04:30:00Z",
        "2026-11-29T05:02:41Z",
    ),
    job(
        "feature-drift-check-29420880",
        "feature-drift-check",
        "2026-12-07T07:00:00Z",
        "2026-12-07T07:03:58Z",
    ),
    job(
        "feature-drift-check-29420940",
        "feature-drift-check",
        "2026-12-07T08:00:00Z",
        "2026-12-07T08:04:12Z",
    ),
]
pods = []
for j in jobs[1:]:
    jn = j["metadata"]["name"]
    p = pod(
        ns,
        f"{jn}-{h(jn, n=5)}",
        {"app": "feature-drift-check", "job-name": jn, "batch.kubernetes.io/job-name": jn},
        spec(["drift"]),
        ("Job", jn),
        j["status"]["startTime"],
        node="node-1.ml.acme.internal",
    )
    p["status"]["phase"] = "Succeeded"
    st = p["status"]["containerStatuses"][0]
    st["ready"] = False
    st["started"] = False
    st["state"] = {
        "terminated": {
            "exitCode": 0,
            "reason": "Completed",
            "startedAt": j["status"]["startTime"],
            "finishedAt": j["status"]["completionTime"],
            "containerID": st["containerID"],
        }
    }
    for c in p["status"]["conditions"]:
        if c["type"] in ("Ready", "ContainersReady"):
            c.update(status="False", reason="PodCompleted")
    pods.append(p)
events = [
    event(
        ns,
        "CronJob",
        "feature-drift-check",
        "SuccessfulCreate",
        "Created job feature-drift-check-29420940",
        "2026-12-07T08:00:00Z",
        component="cronjob-controller",
        api="batch/v1",
    ),
    event(
        ns,
        "CronJob",
        "feature-drift-check",
        "SawCompletedJob",
        "Saw completed job: feature-drift-check-29420940, condition: Complete",
        "2026-12-07T08:04:13Z",
        component="cronjob-controller",
        api="batch/v1",
    ),
]
incident = {
    "id": ID,
    "title": "The nightly model-eval-report CronJob was suspended during last week's GPU maintenance and never resumed",
    "time": NOW,
    "question": "we have not received the nightly model-eval-report since November 29th. is the cronjob in mlops broken?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "CronJob mlops/model-eval-report is suspended (spec.suspend: true); its last run was scheduled 2026-11-29, so no Job has been created since.",
        "must_mention": [["suspend"], ["model-eval-report"]],
        "remediation_must_mention": [['suspend"?:"?false|resume']],
        "runbook": "cronjob-not-running",
    },
    "tags": ["kubernetes", "cronjob", "batch"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": pods,
        "workloads.yaml": cjs + jobs,
        "events.yaml": events,
    },
)
