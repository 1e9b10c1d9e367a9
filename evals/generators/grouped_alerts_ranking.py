"""Writes the cluster of evals/incidents/grouped-alerts-ranking-job-failed-and-crashloop.

One namespace (search-ranking) where two workloads fail at once, so kube-prometheus' routing
(group_by namespace) sends their KubeJobFailed and KubePodCrashLooping in one webhook body. The
two workloads' objects and logs are derived from two recorded incidents of this suite (a Job
whose input is missing, a gateway whose config has a typo), renamed into this cluster (names,
pods, nodes, uids, images) and moved to its time. incident.yaml (the body and the per-alert
expectations) is written by hand and kept.
Run: python evals/generators/grouped_alerts_ranking.py
"""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "incidents"
DEST = SRC / "grouped-alerts-ranking-job-failed-and-crashloop"
NOW = datetime(2026, 11, 20, 13, 45, tzinfo=UTC)
JOB = {
    "dir": "job-backoff-limit-preprocess-missing-input",
    "time": datetime(2026, 9, 15, 4, 40, tzinfo=UTC),
    "renames": [
        ("preprocess-cc-2026-40", "ctr-features-wk46"),
        ("preprocess-cc-2026-41", "ctr-features-wk47"),
        ("cc-2026-41", "wk47"),
        ("cc-2026-40", "wk46"),
        ("dataset-catalog-api", "feature-catalog-api"),
        ("ml-datasets-prod", "ranking-data-prod"),
        ("common-crawl", "clickstream"),
        ("data-prep", "search-ranking"),
        ("airflow", "orchestration"),
        ("batch-node-a0", "rk-batch-"),
        ("svc-node-b01", "rk-svc-01"),
        ("llm-preprocess", "ranking-features"),
        ("preprocess", "featurize"),
        ("llama3/wk47/", "ctr/wk47/"),
        ("meta-llama/Llama-3.1-8B", "BAAI/bge-m3"),
        ("8d2kq", "x4p9c"),
        ("w7xzn", "m2k7t"),
        ("bt4mc", "q8h3v"),
        ("r9vjl", "f6n2w"),
        ("6f5d8c7b9", "7d9c6b8f5"),
        ("zk4wd", "v2m6x"),
    ],
}
CRASH = {
    "dir": "crashloop-config-error",
    "time": datetime(2026, 10, 14, 9, 42, tzinfo=UTC),
    "renames": [
        ("llm-gateway-config-v7", "ranker-gateway-config-v7"),
        ("llm-gateway", "ranker-gateway"),
        ("vllm-mixtral", "reranker-bge"),
        ("serving", "search-ranking"),
        ("gpu-node-1", "rk-gpu-01"),
        ("cpu-node-2", "rk-cpu-02"),
        ("cpu-node-4", "rk-cpu-04"),
        ("vllm-llama", "reranker-minilm"),
        ("llama-3-70b-instruct", "bge-reranker-v2-m3"),
        ("llm_gateway", "ranker_gateway"),
        ("7c9d8f6b54", "5b8d6f7c49"),
        ("q2w4n", "z7r5k"),
        ("5f7c9b8d6", "8c6d7b9f4"),
        ("4mkxz", "j3t8p"),
        ("h8vtd", "n5w2s"),
    ],
}
UID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})([T ])(\d{2}:\d{2}:\d{2})")


def transform(text: str, spec: dict) -> str:
    """`text` moved to this incident's time, with this cluster's names."""
    shift = NOW - spec["time"]

    def moved(m: re.Match[str]) -> str:
        t = datetime.fromisoformat(f"{m[1]}T{m[3]}").replace(tzinfo=UTC) + shift
        return t.strftime("%Y-%m-%d") + m[2] + t.strftime("%H:%M:%S")

    text = STAMP.sub(moved, text)
    for old, new in spec["renames"]:
        text = text.replace(old, new)

    def new_uid(m: re.Match[str]) -> str:
        h = hashlib.sha256(("ranking" + m[0]).encode()).hexdigest()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    return UID.sub(new_uid, text)


def copy(spec: dict, skip: tuple[str, ...] = ()) -> None:
    """Every file of the source incident but incident.yaml, transformed."""
    root = SRC / spec["dir"]
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_dir() or rel.name == "incident.yaml" or rel.name in skip:
            continue
        target = DEST / transform(str(rel), spec)
        if rel.parts[0] == "kubernetes":
            target = target.with_name(spec["dir"].split("-")[0] + "-" + target.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(transform(path.read_text(), spec))


if __name__ == "__main__":
    keep = (DEST / "incident.yaml").read_text()
    shutil.rmtree(DEST)
    copy(JOB)
    copy(CRASH)
    (DEST / "incident.yaml").write_text(keep)
