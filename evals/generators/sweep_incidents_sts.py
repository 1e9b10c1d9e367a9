"""The evidence-sweep incident of a StatefulSet whose last revision changed an env var (see
sweep_incidents.py): its ControllerRevisions hold the pod templates. Run from evals/generators:

    ../../.venv/bin/python sweep_incidents_sts.py
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from k8s import owner, ts, uid
from sweep_incidents import container, expect, iso, lines_over, template, workload, write_bundle
from sweep_objects import namespace, normal_event, plain_node, pod_of, service, template_hash


def statefulset(
    ns: str, name: str, tpl: dict[str, Any], *, replicas: int, revision: str, created: datetime
) -> dict[str, Any]:
    """A StatefulSet fully rolled out to `revision` (a ControllerRevision name)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": uid("sts" + ns + name),
            "generation": 7,
            "resourceVersion": "5120447",
            "creationTimestamp": ts(created),
            "labels": {"app": name},
        },
        "spec": {
            "replicas": replicas,
            "serviceName": f"{name}-headless",
            "podManagementPolicy": "OrderedReady",
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": name}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {
                "whenDeleted": "Retain",
                "whenScaled": "Retain",
            },
            "template": tpl,
        },
        "status": {
            "observedGeneration": 7,
            "replicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "currentReplicas": replicas,
            "updatedReplicas": replicas,
            "currentRevision": revision,
            "updateRevision": revision,
            "collisionCount": 0,
        },
    }


def controller_revision(
    sts: dict[str, Any], tpl: dict[str, Any], number: int, created: datetime
) -> dict[str, Any]:
    """A ControllerRevision as the StatefulSet controller writes it: the template as a patch."""
    name, ns = sts["metadata"]["name"], sts["metadata"]["namespace"]
    hashed = template_hash(tpl)
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {
            "name": f"{name}-{hashed}",
            "namespace": ns,
            "uid": uid("cr" + ns + name + hashed),
            "resourceVersion": str(5_000_000 + number * 311),
            "creationTimestamp": ts(created),
            "labels": {"app": name, "controller.kubernetes.io/hash": hashed},
            "ownerReferences": [
                {**owner("StatefulSet", name, "apps/v1"), "uid": sts["metadata"]["uid"]}
            ],
        },
        "data": {"spec": {"template": {"$patch": "replace", **copy.deepcopy(tpl)}}},
        "revision": number,
    }


def stateful_pod(
    sts: dict[str, Any], revision: dict[str, Any], ordinal: int, **placed: Any
) -> dict[str, Any]:
    """Pod `<sts>-<ordinal>` at `revision`, owned by the StatefulSet."""
    name = sts["metadata"]["name"]
    tpl = copy.deepcopy(sts["spec"]["template"])
    tpl["metadata"]["labels"].update(
        {
            "controller-revision-hash": revision["metadata"]["name"],
            "statefulset.kubernetes.io/pod-name": f"{name}-{ordinal}",
            "apps.kubernetes.io/pod-index": str(ordinal),
        }
    )
    holder = {"metadata": sts["metadata"], "spec": {"template": tpl}}
    pod = pod_of(holder, str(ordinal), **placed)
    pod["metadata"]["ownerReferences"] = [
        {**owner("StatefulSet", name, "apps/v1"), "uid": sts["metadata"]["uid"]}
    ]
    pod["spec"].update({"hostname": f"{name}-{ordinal}", "subdomain": f"{name}-headless"})
    return pod


def index_template(image: str, dim: str) -> dict[str, Any]:
    env = {
        "INDEX_COLLECTION": "docs-v3",
        "EMBEDDING_DIM": dim,
        "INDEX_METRIC": "cosine",
        "LOG_LEVEL": "info",
    }
    c = container(
        "index", image, cpu="2", memory="8Gi", limits={"memory": "8Gi"}, env=env, port=6333
    )
    return template("vector-index", [c], "vector-index")


# --- A StatefulSet's revision 7 set EMBEDDING_DIM=768; the collection holds 1024-d vectors.
def statefulset_env_change() -> None:
    now = datetime(2026, 12, 4, 16, 20)
    ns, created = "rag", datetime(2026, 3, 11, 8, 0)
    nodes = [("rag-node-1", "10.60.0.11"), ("rag-node-2", "10.60.0.12")]
    rolled = now - timedelta(minutes=38)
    history = [
        (5, index_template("registry.rag.io/vector-index:3.3.0", "1024"), datetime(2026, 10, 2)),
        (6, index_template("registry.rag.io/vector-index:3.4.1", "1024"), datetime(2026, 11, 19)),
        (7, index_template("registry.rag.io/vector-index:3.4.1", "768"), rolled),
    ]
    current_tpl = history[-1][1]
    sts = statefulset(
        ns,
        "vector-index",
        current_tpl,
        replicas=3,
        revision=f"vector-index-{template_hash(current_tpl)}",
        created=created,
    )
    revisions = [controller_revision(sts, tpl, n, at) for n, tpl, at in history]
    # A rolling update replaces the highest ordinal first.
    pods = [
        stateful_pod(
            sts,
            revisions[-1],
            ordinal,
            node=nodes[ordinal % 2][0],
            host_ip=nodes[ordinal % 2][1],
            ip=f"10.61.4.{21 + ordinal * 9}",
            created=rolled + timedelta(seconds=10 + (2 - ordinal) * 45),
        )
        for ordinal in range(3)
    ]

    def rejected(at, rng):
        return (
            f"{iso(at)} ERROR index: upsert batch={rng.randint(10**5, 10**6)} collection=docs-v3 "
            f"rejected: vector dimension mismatch: expected 768, got 1024 "
            f"(points={rng.randint(64, 512)})"
        )

    def search_failed(at, rng):
        return (
            f"{iso(at)} ERROR index: search collection=docs-v3 failed: query vector has "
            f"dimension 1024, index configured for 768"
        )

    def compaction(at, rng):
        return (
            f"{iso(at)} WARN  index: compaction deferred, segment count {rng.randint(33, 41)} > 32"
        )

    def served(at, rng):
        return (
            f"{iso(at)} INFO  index: search collection=docs-v3 top_k=8 took {rng.randint(3, 19)} ms"
        )

    logs = {}
    for p in pods:
        started = datetime.strptime(p["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
        logs[f"{ns}/{p['metadata']['name']}/index.log"] = lines_over(
            started + timedelta(seconds=20),
            now,
            [(5, rejected), (3, search_failed), (1, compaction)],
            p["metadata"]["name"],
        )
    # The neighbour API rolled out weeks ago and logs normally (a warning now and then).
    api_tpl = template(
        "rag-api",
        [container("api", "registry.rag.io/rag-api:1.9.2", memory="1Gi")],
        "rag-api",
    )
    api_old = copy.deepcopy(api_tpl)
    api_old["spec"]["containers"][0]["image"] = "registry.rag.io/rag-api:1.9.1"
    api, api_sets, api_pods = workload(
        ns,
        "rag-api",
        [(11, api_old, datetime(2026, 11, 3, 10)), (12, api_tpl, datetime(2026, 11, 24, 13))],
        replicas=2,
        created=created,
        nodes=nodes,
        suffixes=["k7w2d", "r9q4m"],
        ip_base="10.61.5",
    )
    for p in api_pods:
        logs[f"{ns}/{p['metadata']['name']}/api.log"] = (
            lines_over(
                now - timedelta(hours=1), now, [(9, served), (1, compaction)], p["metadata"]["name"]
            )
            .replace("index: search", "api: answer")
            .replace("index: compaction", "api: cache")
        )
    events = []
    for p in reversed(pods):
        at = datetime.strptime(p["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
        pod_name = p["metadata"]["name"]
        for reason, verb, when in (
            ("SuccessfulDelete", "delete", at - timedelta(seconds=8)),
            ("SuccessfulCreate", "create", at),
        ):
            events.append(
                normal_event(
                    sts,
                    reason,
                    f"{verb} Pod {pod_name} in StatefulSet vector-index successful",
                    when,
                    "statefulset-controller",
                )
            )
    write_bundle(
        {
            "id": "sweep-vector-index-statefulset-env-dim",
            "title": "Document upserts and searches fail after StatefulSet vector-index's revision 7 set "
            "EMBEDDING_DIM=768 (pods Ready, no restarts)",
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": "Why are document upserts and searches failing in namespace rag in the last hour?",
            "sources": ["kubernetes"],
            "expected": expect(
                "Revision 7 of StatefulSet vector-index, rolled out 38 minutes ago, changed EMBEDDING_DIM from "
                "1024 to 768; since then its pods reject upserts and searches with 'vector dimension "
                "mismatch: expected 768, got 1024'.",
                [
                    ["EMBEDDING_DIM"],
                    ["dimension"],
                    ["revision 7|rolled out|rollout"],
                    ["StatefulSet"],
                ],
                [["rollout undo|roll back|rollback"]],
            ),
            "tags": ["sweep", "rollout", "statefulset", "logs"],
        },
        {
            "namespaces": [namespace(ns, created)],
            "nodes": [plain_node(n, ip, created) for n, ip in nodes],
            "workloads": [sts, *revisions, api, *api_sets],
            "pods": pods + api_pods,
            "services": [
                service(ns, "vector-index", "vector-index", 6333, 6333, "10.100.61.9", created),
                service(ns, "rag-api", "rag-api", 80, 8080, "10.100.61.4", created),
            ],
            "events": events,
        },
        logs,
    )


if __name__ == "__main__":
    statefulset_env_change()
