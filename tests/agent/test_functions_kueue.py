"""The Kueue rule function (holmes.agent.engine.rules.kueue) and its typed facts
(holmes.tools.facts.kueue): why a job's Workload is not admitted, judged from the conditions
Kueue writes, the ClusterQueue's quota and the workloads holding it."""

from __future__ import annotations

from holmes.agent.engine.rules.kueue import kueue_diagnose
from holmes.tools.facts.kueue import ClusterQueueFacts, WorkloadFacts

SUBJECT = {
    "namespace": "ml",
    "workloads": [{"kind": "Job", "namespace": "ml", "name": "sft", "status": "suspended"}],
}
UNUSED = (
    "couldn't assign flavors to pod set main: insufficient unused quota for nvidia.com/gpu "
    "in flavor h100, 4 more needed"
)


def workload(
    name,
    owner,
    queue="team",
    conditions=(),
    admitted=None,
    gpus=4,
    uid="",
    prio=0,
    namespace="ml",
    selector=None,
):
    spec = {"containers": [{"name": "c", "resources": {"requests": {"nvidia.com/gpu": str(gpus)}}}]}
    if selector:
        spec["nodeSelector"] = selector
    obj = {
        "kind": "Workload",
        "metadata": {"name": name, "namespace": namespace, "uid": uid,
                     "ownerReferences": [{"kind": "Job", "name": owner}]},
        "spec": {"queueName": queue, "priority": prio,
                 "podSets": [{"name": "main", "count": 1, "template": {"spec": spec}}]},
        "status": {"conditions": [dict(type=t, status=s, reason=r, message=m)
                                  for t, s, r, m in conditions]},
    }  # fmt: skip
    if admitted:
        obj["status"]["admission"] = {
            "clusterQueue": admitted,
            "podSetAssignments": [{"name": "main", "flavors": {"nvidia.com/gpu": "h100"},
                                   "resourceUsage": {"nvidia.com/gpu": str(gpus)}}],
        }  # fmt: skip
        obj["status"]["conditions"] = [
            {"type": "QuotaReserved", "status": "True", "reason": "QuotaReserved"},
            {"type": "Admitted", "status": "True", "reason": "Admitted"},
        ]
    return obj


def cluster_queue(
    name="gpu-cq", nominal="8", used="8", cohort="", borrowing=None, lending=None, flavor="h100"
):
    resource = {"name": "nvidia.com/gpu", "nominalQuota": nominal}
    if borrowing is not None:
        resource["borrowingLimit"] = borrowing
    if lending is not None:
        resource["lendingLimit"] = lending
    return {
        "kind": "ClusterQueue",
        "metadata": {"name": name},
        "spec": {"cohort": cohort, "resourceGroups": [{"coveredResources": ["nvidia.com/gpu"],
                 "flavors": [{"name": flavor, "resources": [resource]}]}]},
        "status": {"flavorsReservation": [{"name": flavor, "resources": [
            {"name": "nvidia.com/gpu", "total": used, "borrowed": "0"}]}]},
    }  # fmt: skip


def local_queue(name="team", cq="gpu-cq", namespace="ml"):
    return {"metadata": {"name": name, "namespace": namespace}, "spec": {"clusterQueue": cq}}


def diagnose(workloads, queues=None, cqs=None, flavors=(), nodes=()):
    queues = [local_queue()] if queues is None else queues
    cqs = [cluster_queue()] if cqs is None else cqs
    return kueue_diagnose(SUBJECT, list(workloads), queues, cqs, list(flavors), list(nodes))


def test_quota_exhausted_names_queue_flavor_usage_and_holders():
    mine = workload("job-sft-1", "sft", conditions=[("QuotaReserved", "False", "Pending", UNUSED)])
    big = workload("job-pretrain-2", "pretrain", admitted="gpu-cq", gpus=6)
    small = workload("job-eval-3", "eval", admitted="gpu-cq", gpus=2)
    elsewhere = workload("job-other-4", "other", admitted="other-cq", gpus=8)
    d = diagnose([mine, small, big, elsewhere], cqs=[cluster_queue(borrowing="0")])
    assert d["verdict"] == "quota-exhausted"
    assert (d["cluster_queue"], d["flavor"], d["resource"]) == ("gpu-cq", "h100", "nvidia.com/gpu")
    assert (d["nominal"], d["used"], d["needed"]) == ("8", "8", "4")
    assert d["borrowing"] == "borrowingLimit 0"
    assert [h["name"] for h in d["holders"]] == ["job-pretrain-2", "job-eval-3"]
    assert d["workload"]["owner"] == "Job sft"


def test_cohort_lenders_respect_lending_limit():
    mine = workload("job-sft-1", "sft", conditions=[("QuotaReserved", "False", "Pending", UNUSED)])
    cqs = [
        cluster_queue(cohort="pool"),
        cluster_queue("idle-cq", nominal="8", used="2", cohort="pool", lending="3"),
        cluster_queue("other-flavor", nominal="8", used="0", cohort="pool", flavor="a100"),
    ]
    assert diagnose([mine], cqs=cqs)["lenders"] == ["idle-cq can lend 3"]


def test_missing_local_queue_from_condition_and_closest_name():
    message = "LocalQueue teem doesn't exist"
    mine = workload("job-sft-1", "sft", queue="teem",
                    conditions=[("QuotaReserved", "False", "Inadmissible", message)])  # fmt: skip
    d = diagnose([mine])
    assert d["verdict"] == "localqueue-missing"
    assert (d["queue"], d["closest"], d["reason"]) == ("teem", "team", "Inadmissible")


def test_preempted_names_the_preemptor_by_uid():
    message = (
        "Preempted to accommodate a workload (UID: 1111-aa, JobUID: 2222-bb) due to "
        "prioritization in the ClusterQueue"
    )
    mine = workload("job-sft-1", "sft", prio=10, conditions=[
        ("QuotaReserved", "False", "Pending", UNUSED),
        ("Evicted", "True", "Preempted", message),
        ("Preempted", "True", "InClusterQueue", message),
    ])  # fmt: skip
    winner = workload("job-prod-9", "prod", admitted="gpu-cq", uid="1111-aa", prio=1000)
    d = diagnose([mine, winner])
    assert d["verdict"] == "preempted"
    assert d["preempted_reason"] == "InClusterQueue"
    assert d["preemptor"]["name"] == "job-prod-9" and d["preemptor"]["priority"] == 1000


def test_no_flavor_fits_reports_the_conflicting_node_label():
    message = "couldn't assign flavors to pod set main: flavor h100 doesn't match node affinity"
    mine = workload("job-sft-1", "sft", selector={"pool": "a100"},
                    conditions=[("QuotaReserved", "False", "Pending", message)])  # fmt: skip
    flavor = {"metadata": {"name": "h100"}, "spec": {"nodeLabels": {"pool": "h100"}}}
    nodes = [{"name": "n1", "labels": {"pool": "h100"}}, {"name": "n2", "labels": {"pool": "x"}}]
    d = diagnose([mine], flavors=[flavor], nodes=nodes)
    assert d["verdict"] == "no-flavor-fits"
    assert d["flavors"] == [
        {"name": "h100", "labels": "pool=h100", "conflict": ["pool=h100 (pods select a100)"],
         "nodes": 1}
    ]  # fmt: skip


def test_admitted_or_unrelated_workload_has_no_verdict():
    admitted = workload("job-sft-1", "sft", admitted="gpu-cq")
    assert diagnose([admitted])["verdict"] == ""
    other = workload("job-x-1", "x", conditions=[("QuotaReserved", "False", "Pending", UNUSED)])
    assert diagnose([other]) == {"verdict": "", "workload": {}}


def test_facts_read_usage_and_quotas():
    facts = WorkloadFacts.of(workload("w", "sft", admitted="gpu-cq", gpus=3))
    assert facts.holds("Admitted") and facts.cluster_queue == "gpu-cq"
    assert [(u.flavor, u.resource, u.amount) for u in facts.usage] == [
        ("h100", "nvidia.com/gpu", 3.0)
    ]
    queue = ClusterQueueFacts.of(cluster_queue(nominal="16", used="12", borrowing="4"))
    quota = queue.quota("h100", "nvidia.com/gpu")
    assert quota is not None and (quota.nominal, quota.borrowing_limit) == (16.0, 4.0)
    assert queue.used("h100", "nvidia.com/gpu").amount == 12.0
    assert queue.quota("a100", "nvidia.com/gpu") is None


def test_namespace_question_takes_the_first_waiting_workload():
    admitted = workload("job-a-1", "a", admitted="gpu-cq")
    waiting = workload("job-b-2", "b", conditions=[("QuotaReserved", "False", "Pending", UNUSED)])
    other_ns = workload("job-c-3", "c", namespace="web")
    found = kueue_diagnose(
        {"namespace": "ml", "workloads": []}, [other_ns, admitted, waiting], [], [], [], []
    )
    assert found["workload"]["name"] == "job-b-2"
    assert (
        kueue_diagnose({"namespace": "", "workloads": []}, [waiting], [], [], [], [])["verdict"]
        == ""
    )
