"""Two CronJobs that create no Jobs although not suspended: one whose stored spec.timeZone
(US/Pacific-New, removed from tzdata) the controller cannot load after a cluster upgrade
(UnknownTimeZone), and one whose startingDeadlineSeconds (10 s) is shorter than the
controller's sync delay, so every run is dropped (MissSchedule). Noise: healthy CronJobs
with completed Jobs, a Deployment, unrelated events."""

import os
import sys
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from std_k8s import *

HERE = os.path.dirname(os.path.abspath(__file__))


def job_spec(image, args):
    sp = pod_spec(
        [
            container(
                "main", image, None, {"cpu": "1", "memory": "2Gi"}, {"memory": "4Gi"}, args=args
            )
        ]
    )
    sp["restartPolicy"] = "OnFailure"
    return sp


def cronjob(
    ns, name, schedule, image, args, last, success, tz=None, deadline=None, policy="Forbid"
):
    spec = {
        "concurrencyPolicy": policy,
        "failedJobsHistoryLimit": 1,
        "schedule": schedule,
        "successfulJobsHistoryLimit": 3,
        "suspend": False,
        "jobTemplate": {
            "spec": {
                "backoffLimit": 2,
                "template": {"metadata": {"labels": {"app": name}}, "spec": job_spec(image, args)},
            }
        },
    }
    if tz:
        spec["timeZone"] = tz
    if deadline is not None:
        spec["startingDeadlineSeconds"] = deadline
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": name,
            "namespace": ns,
            "creationTimestamp": "2026-04-02T09:00:00Z",
            "generation": 3,
            "uid": uid("CronJob", ns, name),
            "labels": {"app": name},
        },
        "spec": spec,
        "status": {"lastScheduleTime": last, "lastSuccessfulTime": success},
    }


def completed_job(ns, cj, start, done, node_name):
    """A Job the CronJob created and its Succeeded pod, as the API returns them."""
    name = f"{cj['metadata']['name']}-{int(datetime.fromisoformat(start).timestamp()) // 60}"
    owner = cj["metadata"]["name"]
    tspec = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    cond = {"status": "True", "lastProbeTime": done, "lastTransitionTime": done}
    job = {
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
            "template": {"metadata": {"labels": {"app": owner}}, "spec": tspec},
        },
        "status": {
            "startTime": start,
            "completionTime": done,
            "succeeded": 1,
            "ready": 0,
            "terminating": 0,
            "uncountedTerminatedPods": {},
            "conditions": [{"type": "SuccessCriteriaMet", **cond}, {"type": "Complete", **cond}],
        },
    }
    labels = {"app": owner, "job-name": name, "batch.kubernetes.io/job-name": name}
    p = pod(ns, f"{name}-{h(name, n=5)}", labels, tspec, ("Job", name), start, node=node_name)
    p["status"]["phase"] = "Succeeded"
    st = p["status"]["containerStatuses"][0]
    st.update(ready=False, started=False)
    st["state"] = {
        "terminated": {
            "exitCode": 0,
            "reason": "Completed",
            "startedAt": start,
            "finishedAt": done,
            "containerID": st["containerID"],
        }
    }
    for c in p["status"]["conditions"]:
        if c["type"] in ("Ready", "ContainersReady"):
            c.update(status="False", reason="PodCompleted")
    return job, p


def controller_event(ns, cj, reason, message, first, last=None, count=1, etype="Normal"):
    return event(
        ns,
        "CronJob",
        cj,
        reason,
        message,
        first,
        last,
        count,
        etype,
        "cronjob-controller",
        "batch/v1",
    )


def worker_nodes(now, prefix):
    return [
        node(
            f"{prefix}-{i}",
            f"zone-{i}",
            "m6i.4xlarge",
            "2026-11-23T05:00:00Z",
            now,
            cpu="16",
            alloc_cpu="15890m",
            mem_ki=65023012,
            alloc_mem="62000000Ki",
        )
        for i in (1, 2)
    ]


def api_deployment(ns, name, image, created):
    lab = {"app": name}
    sp = pod_spec(
        [
            container(
                "api",
                image,
                8080,
                {"cpu": "500m", "memory": "1Gi"},
                {"memory": "1Gi"},
                probe_path="/healthz",
            )
        ]
    )
    rs = h(ns, name, n=10)
    pl = {**lab, "pod-template-hash": rs}
    pods = [
        pod(
            ns,
            f"{name}-{rs}-{h(name, str(i), n=5)}",
            pl,
            sp,
            ("ReplicaSet", f"{name}-{rs}"),
            created,
        )
        for i in range(2)
    ]
    objs = [
        deployment(ns, name, lab, sp, 2, "2026-04-01T10:00:00Z", rs, generation=7),
        replicaset(ns, name, rs, lab, sp, 2, created, revision=7),
        service(
            ns,
            name,
            lab,
            [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
            "2026-04-01T10:00:00Z",
        ),
    ]
    return objs, pods


def unknown_time_zone():
    now = "2026-12-01T16:40:00Z"
    iid = "cronjob-unknown-time-zone-after-upgrade-invoice-scan"
    ns = "finance-ml"
    nodes = worker_nodes(now, "fin-worker")
    broken = cronjob(
        ns,
        "invoice-anomaly-scan",
        "0 6 * * 1-5",
        "registry.acme.internal/finance/anomaly-scan:3.2.0",
        ["scan", "--since", "24h"],
        "2026-11-20T14:00:00Z",
        "2026-11-20T14:11:52Z",
        tz="US/Pacific-New",
    )
    fine = cronjob(
        ns,
        "ledger-export",
        "30 * * * *",
        "registry.acme.internal/finance/ledger-export:1.4.1",
        ["export"],
        "2026-12-01T16:30:00Z",
        "2026-12-01T16:31:58Z",
        tz="Europe/London",
        policy="Allow",
    )
    jobs, pods = [], []
    for start, done in (
        ("2026-12-01T15:30:00Z", "2026-12-01T15:32:10Z"),
        ("2026-12-01T16:30:00Z", "2026-12-01T16:31:58Z"),
    ):
        j, p = completed_job(ns, fine, start, done, nodes[0]["metadata"]["name"])
        jobs.append(j)
        pods.append(p)
    objs, api_pods = api_deployment(
        ns,
        "fraud-score-api",
        "registry.acme.internal/finance/fraud-score:2.9.3",
        "2026-11-27T10:00:00Z",
    )
    events = [
        controller_event(
            ns,
            "invoice-anomaly-scan",
            "UnknownTimeZone",
            'invalid timeZone: "US/Pacific-New": unknown time zone US/Pacific-New',
            "2026-11-23T06:14:02Z",
            "2026-12-01T16:21:40Z",
            1154,
            "Warning",
        ),
        controller_event(
            ns,
            "ledger-export",
            "SuccessfulCreate",
            f"Created job {jobs[1]['metadata']['name']}",
            "2026-12-01T16:30:00Z",
        ),
        controller_event(
            ns,
            "ledger-export",
            "SawCompletedJob",
            f"Saw completed job: {jobs[0]['metadata']['name']}, condition: Complete",
            "2026-12-01T15:32:11Z",
        ),
        event(
            ns,
            "Pod",
            api_pods[0]["metadata"]["name"],
            "Pulled",
            'Container image "registry.acme.internal/finance/fraud-score:2.9.3" already present on machine',
            "2026-11-27T10:00:03Z",
            component="kubelet",
        ),
    ]
    incident = {
        "id": iid,
        "title": "invoice-anomaly-scan stopped after the 1.31 upgrade: its stored timeZone US/Pacific-New no longer exists in tzdata",
        "time": now,
        "question": "the weekday invoice-anomaly-scan job in finance-ml has not run since the cluster upgrade on november 23rd. the cronjob is not suspended, what's wrong?",
        "sources": ["kubernetes"],
        "expected": {
            "root_cause": "CronJob finance-ml/invoice-anomaly-scan has timeZone US/Pacific-New, which the controller cannot load (UnknownTimeZone), so it schedules nothing.",
            "must_mention": [["invoice-anomaly-scan"], ["US/Pacific-New"], ["time ?zone"]],
            "remediation_must_mention": [["schedule|timeZone|edit cronjob"]],
            "runbook": "cronjob-not-running",
        },
        "tags": ["kubernetes", "cronjob", "batch", "noisy"],
    }
    files = {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": [namespace(n) for n in ("kube-system", "default", ns)],
    }
    files |= {
        "pods.yaml": pods + api_pods,
        "workloads.yaml": [broken, fine, *jobs, *objs],
        "events.yaml": events,
    }
    write(os.path.join(HERE, "..", "incidents", iid), files)


def missed_deadline():
    now = "2026-12-08T11:50:00Z"
    iid = "cronjob-missed-starting-deadline-index-snapshot"
    ns = "search"
    nodes = worker_nodes(now, "search-worker")
    broken = cronjob(
        ns,
        "index-snapshot",
        "*/15 * * * *",
        "docker.io/opensearchproject/opensearch:2.17.1",
        ["/usr/share/opensearch/bin/snapshot.sh", "s3-backups"],
        "2026-12-07T18:15:00Z",
        "2026-12-07T18:17:44Z",
        deadline=10,
        policy="Allow",
    )
    fine = cronjob(
        ns,
        "synonyms-sync",
        "0 */6 * * *",
        "registry.acme.internal/search/synonyms-sync:0.7.2",
        ["sync"],
        "2026-12-08T06:00:00Z",
        "2026-12-08T06:01:31Z",
        deadline=600,
    )
    j, p = completed_job(
        ns, fine, "2026-12-08T06:00:00Z", "2026-12-08T06:01:31Z", nodes[1]["metadata"]["name"]
    )
    objs, api_pods = api_deployment(
        ns, "search-gateway", "registry.acme.internal/search/gateway:4.1.0", "2026-12-05T09:00:00Z"
    )
    last_miss = datetime(2026, 12, 8, 11, 45, tzinfo=UTC)
    first_miss = datetime(2026, 12, 7, 18, 30, tzinfo=UTC)
    misses = int((last_miss - first_miss) / timedelta(minutes=15)) + 1
    events = [
        controller_event(
            ns,
            "index-snapshot",
            "MissSchedule",
            "Missed scheduled time to start a job: "
            + last_miss.strftime("%a, %d %b %Y %H:%M:%S +0000"),
            "2026-12-07T18:30:14Z",
            "2026-12-08T11:45:13Z",
            misses,
            "Warning",
        ),
        controller_event(
            ns,
            "synonyms-sync",
            "SuccessfulCreate",
            f"Created job {j['metadata']['name']}",
            "2026-12-08T06:00:02Z",
        ),
        controller_event(
            ns,
            "synonyms-sync",
            "SawCompletedJob",
            f"Saw completed job: {j['metadata']['name']}, condition: Complete",
            "2026-12-08T06:01:33Z",
        ),
        event(
            "kube-system",
            "Lease",
            "kube-controller-manager",
            "LeaderElection",
            "ip-10-0-4-17_5e2c1a9b-7d3f-4e61-9a0c-2b8f6d4e1c73 became leader",
            "2026-12-07T18:24:51Z",
            component="kube-controller-manager",
            api="coordination.k8s.io/v1",
        ),
    ]
    incident = {
        "id": iid,
        "title": "index-snapshot dropped every run since yesterday evening: startingDeadlineSeconds 10 is shorter than the controller's delay",
        "time": now,
        "question": "no opensearch snapshots from the index-snapshot cronjob in search since yesterday 18:15, but it isn't suspended. why does it skip?",
        "sources": ["kubernetes"],
        "expected": {
            "root_cause": "CronJob search/index-snapshot has startingDeadlineSeconds 10; the controller reaches each scheduled time later than that, so it skips every run (MissSchedule).",
            "must_mention": [
                ["index-snapshot"],
                ["startingDeadlineSeconds"],
                ["Missed scheduled time|MissSchedule|skip"],
            ],
            "remediation_must_mention": [["startingDeadlineSeconds"]],
            "runbook": "cronjob-not-running",
        },
        "tags": ["kubernetes", "cronjob", "batch", "noisy"],
    }
    files = {
        "incident.yaml": incident,
        "nodes.yaml": nodes,
        "namespaces.yaml": [namespace(n) for n in ("kube-system", "default", ns)],
    }
    files |= {
        "pods.yaml": [p, *api_pods],
        "workloads.yaml": [broken, fine, j, *objs],
        "events.yaml": events,
    }
    write(os.path.join(HERE, "..", "incidents", iid), files)


unknown_time_zone()
missed_deadline()
