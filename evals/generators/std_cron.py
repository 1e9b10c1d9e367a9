import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

NOW = "2026-12-06T02:25:00Z"
ID = "cronjob-forbid-stuck-job-embedding-refresh"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "incidents", ID)
nodes = [
    node(
        f"gke-search-pool-a-4f2c9e1d-{s}",
        f"us-central1-{z}",
        "n2-standard-16",
        "2026-11-01T06:00:00Z",
        NOW,
        region="us-central1",
        cpu="16",
        alloc_cpu="15890m",
        labels={"cloud.google.com/gke-nodepool": "pool-a"},
    )
    for s, z in (("6vjq", "a"), ("b8mx", "b"), ("r2kd", "c"))
]
N = [n["metadata"]["name"] for n in nodes]
ns = "search"
ns_objs = [namespace(n) for n in ("kube-system", "default", ns, "monitoring")]


def job_pod_spec(args):
    sp = pod_spec(
        [
            container(
                "refresh",
                "us-docker.pkg.dev/acme-prod/search/embed-tools:2.4.0",
                None,
                {"cpu": "4", "memory": "8Gi"},
                {"memory": "10Gi"},
                args=args,
                env=[
                    {"name": "INDEX", "value": "products-v7"},
                    {"name": "BATCH_SIZE", "value": "512"},
                ],
            )
        ]
    )
    sp["restartPolicy"] = "Never"
    return sp


jspec = job_pod_spec(["refresh", "--index", "products-v7", "--since", "24h"])
cj = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {
        "name": "embedding-refresh",
        "namespace": ns,
        "creationTimestamp": "2026-05-01T10:00:00Z",
        "generation": 3,
        "uid": uid("CronJob", ns, "embedding-refresh"),
    },
    "spec": {
        "concurrencyPolicy": "Forbid",
        "failedJobsHistoryLimit": 1,
        "schedule": "0 2 * * *",
        "successfulJobsHistoryLimit": 3,
        "suspend": False,
        "jobTemplate": {
            "metadata": {"creationTimestamp": None},
            "spec": {
                "backoffLimit": 1,
                "template": {"metadata": {"labels": {"app": "embedding-refresh"}}, "spec": jspec},
            },
        },
    },
    "status": {
        "active": [
            {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": "embedding-refresh-29417880",
                "namespace": ns,
                "resourceVersion": "81233001",
                "uid": uid("Job", ns, "embedding-refresh-29417880"),
            }
        ],
        "lastScheduleTime": "2026-12-03T02:00:00Z",
        "lastSuccessfulTime": "2026-12-02T02:41:17Z",
    },
}
cj2 = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {
        "name": "query-log-compaction",
        "namespace": ns,
        "creationTimestamp": "2026-05-01T10:00:00Z",
        "generation": 1,
        "uid": uid("CronJob", ns, "qlc"),
    },
    "spec": {
        "concurrencyPolicy": "Allow",
        "failedJobsHistoryLimit": 1,
        "schedule": "*/30 * * * *",
        "successfulJobsHistoryLimit": 3,
        "suspend": False,
        "jobTemplate": {
            "spec": {
                "template": {
                    "metadata": {"labels": {"app": "query-log-compaction"}},
                    "spec": job_pod_spec(["compact"]),
                }
            }
        },
    },
    "status": {
        "lastScheduleTime": "2026-12-06T02:00:00Z",
        "lastSuccessfulTime": "2026-12-06T02:03:12Z",
    },
}


def job(name, owner, start, active=0, succeeded=0, completion=None, spec=jspec):
    st = {
        "startTime": start,
        "active": active,
        "ready": active,
        "terminating": 0,
        "uncountedTerminatedPods": {},
    }
    if succeeded:
        st.update(
            succeeded=succeeded,
            completionTime=completion,
            conditions=[
                {
                    "type": "SuccessCriteriaMet",
                    "status": "True",
                    "lastProbeTime": completion,
                    "lastTransitionTime": completion,
                },
                {
                    "type": "Complete",
                    "status": "True",
                    "lastProbeTime": completion,
                    "lastTransitionTime": completion,
                },
            ],
        )
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
            "backoffLimit": 1,
            "completions": 1,
            "parallelism": 1,
            "template": {"metadata": {"labels": {"app": owner}}, "spec": spec},
        },
        "status": st,
    }


jobs = [
    job(
        "embedding-refresh-29416440",
        "embedding-refresh",
        "2026-12-02T02:00:00Z",
        succeeded=1,
        completion="2026-12-02T02:41:17Z",
    ),
    job("embedding-refresh-29417880", "embedding-refresh", "2026-12-03T02:00:00Z", active=1),
    job(
        "query-log-compaction-29421600",
        "query-log-compaction",
        "2026-12-06T02:00:00Z",
        succeeded=1,
        completion="2026-12-06T02:03:12Z",
        spec=cj2["spec"]["jobTemplate"]["spec"]["template"]["spec"],
    ),
]
jl = {
    "app": "embedding-refresh",
    "batch.kubernetes.io/job-name": "embedding-refresh-29417880",
    "job-name": "embedding-refresh-29417880",
    "batch.kubernetes.io/controller-uid": uid("Job", ns, "embedding-refresh-29417880"),
}
stuck = pod(
    ns,
    "embedding-refresh-29417880-kq7vw",
    jl,
    jspec,
    ("Job", "embedding-refresh-29417880"),
    "2026-12-03T02:00:01Z",
    node=N[1],
)
alab = {"app": "search-api"}
aspec = pod_spec(
    [
        container(
            "api",
            "us-docker.pkg.dev/acme-prod/search/search-api:5.4.1",
            8080,
            {"cpu": "1", "memory": "2Gi"},
            {"memory": "2Gi"},
            probe_path="/healthz",
        )
    ]
)
ars = "5b8d9c7f64"
al = dict(alab)
al["pod-template-hash"] = ars
apods = [
    pod(
        ns,
        f"search-api-{ars}-{s}",
        al,
        aspec,
        ("ReplicaSet", f"search-api-{ars}"),
        "2026-12-04T12:00:00Z",
        node=N[i],
    )
    for i, s in enumerate(("f7m2q", "w9c4x", "zb5n8"))
]
work = [
    cj,
    cj2,
    *jobs,
    deployment(ns, "search-api", alab, aspec, 3, "2026-06-01T10:00:00Z", ars, generation=11),
    replicaset(ns, "search-api", ars, alab, aspec, 3, "2026-12-04T12:00:00Z", revision=11),
    service(
        ns,
        "search-api",
        alab,
        [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        "2026-06-01T10:00:00Z",
    ),
]
events = [
    event(
        ns,
        "CronJob",
        "embedding-refresh",
        "JobAlreadyActive",
        "Not starting job because prior execution is running and concurrency policy is Forbid",
        "2026-12-06T02:00:00Z",
        component="cronjob-controller",
        api="batch/v1",
    ),
    event(
        ns,
        "CronJob",
        "query-log-compaction",
        "SuccessfulCreate",
        "Created job query-log-compaction-29421600",
        "2026-12-06T02:00:00Z",
        component="cronjob-controller",
        api="batch/v1",
    ),
    event(
        ns,
        "CronJob",
        "query-log-compaction",
        "SawCompletedJob",
        "Saw completed job: query-log-compaction-29421600, condition: Complete",
        "2026-12-06T02:03:13Z",
        component="cronjob-controller",
        api="batch/v1",
    ),
    event(
        ns,
        "CronJob",
        "query-log-compaction",
        "SuccessfulDelete",
        "Deleted job query-log-compaction-29421420",
        "2026-12-06T02:03:13Z",
        component="cronjob-controller",
        api="batch/v1",
    ),
]
incident = {
    "id": ID,
    "title": "Nightly embedding-refresh skipped for three nights: Forbid and a Job from Dec 3 whose pod hangs",
    "time": NOW,
    "question": "the nightly embedding-refresh cronjob in search hasn't refreshed the index since December 2nd. why isn't it running?",
    "sources": ["kubernetes"],
    "expected": {
        "root_cause": "CronJob search/embedding-refresh has concurrencyPolicy Forbid and its Job embedding-refresh-29417880 started 2026-12-03T02:00 is still active (its pod hangs), so the controller skips every nightly run (JobAlreadyActive).",
        "must_mention": [
            ["Forbid"],
            ["embedding-refresh-29417880"],
            ["still active|never (ends|finishes)|skips"],
        ],
        "remediation_must_mention": [["delete job|activeDeadlineSeconds"]],
        "runbook": "cronjob-not-running",
    },
    "tags": ["kubernetes", "cronjob", "batch", "noisy"],
}
write(
    out,
    {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": ns_objs,
        "pods.yaml": [stuck, *apods],
        "workloads.yaml": work,
        "events.yaml": events,
    },
)
d = f"{out}/logs/{ns}/embedding-refresh-29417880-kq7vw"
os.makedirs(d, exist_ok=True)
with open(f"{d}/refresh.log", "w") as f:
    f.write("2026-12-03T02:00:04.118Z INFO  refresh: index=products-v7 since=24h batch_size=512\n")
    f.write(
        "2026-12-03T02:00:05.902Z INFO  refresh: 1,284,330 documents changed since 2026-12-02T02:00:00Z\n"
    )
    for i in range(1, 6):
        f.write(
            f"2026-12-03T02:{i * 4:02d}:1{i}.004Z INFO  refresh: embedded {i * 51200} / 1284330 documents\n"
        )
    f.write(
        "2026-12-03T02:22:47.660Z WARN  refresh: upsert to vector store slow (12.4 s for batch 131)\n"
    )
    f.write("2026-12-03T02:23:01.031Z INFO  refresh: acquiring write lease on index products-v7\n")
