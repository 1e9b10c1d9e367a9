"""Hints from questions and alerts, and matching them to the cluster's names (pure functions)."""

from __future__ import annotations

from holmes.agent.engine.names import (
    Named,
    best_matches,
    hints_from_alert,
    namespace_in_question,
    phrases,
)

NAMES = [
    Named("Deployment", "search", "embedding-worker"),
    Named("Pod", "search", "embedding-worker-7d5c8b9f64-k2x8p"),
    Named("Deployment", "search", "search-api"),
    Named("Service", "search", "reranker"),
    Named("Job", "data-prep", "preprocess-cc-2026-41"),
    Named("Node", None, "gpu-node-3"),
]


def test_namespace_from_the_usual_phrasings():
    spaces = {"search", "team-vision", "ml"}
    assert namespace_in_question("pods in namespace search are down", spaces) == "search"
    assert namespace_in_question("the search namespace is broken", spaces) == "search"
    assert namespace_in_question("kubectl get pods -n ml shows errors", spaces) == "ml"
    assert namespace_in_question("notebook stuck in team-vision?", spaces) == "team-vision"
    assert namespace_in_question("why is my job slow?", spaces) is None


def test_two_words_find_a_hyphenated_workload():
    candidates, typed = phrases("Why does the embedding worker keep restarting?", {"search"})
    assert "embedding-worker" in candidates
    assert typed == []
    matches = best_matches("embedding-worker", NAMES)
    assert [m.name for _, m in matches] == ["embedding-worker"]


def test_a_fragment_of_a_job_name_matches_it():
    matches = best_matches("cc-2026-41", NAMES)
    assert [(m.kind, m.name) for _, m in matches] == [("Job", "preprocess-cc-2026-41")]


def test_a_single_word_may_start_a_word_of_the_name():
    names = [Named("Deployment", "kb", "text-embeddings"), Named("Service", "kb", "reranker")]
    assert [m.name for _, m in best_matches("embedding", names)] == ["text-embeddings"]
    assert best_matches("rank", names) == []  # "rank" is inside "reranker", not its start


def test_generic_single_words_match_nothing():
    assert best_matches("api", NAMES) == []
    assert best_matches("worker", NAMES) == []
    assert best_matches("reranker", NAMES)[0][1] == Named("Service", "search", "reranker")


def test_typed_hyphenated_names_are_kept_for_the_missing_check():
    _, typed = phrases("Why is the whisper-transcriber in namespace media failing?", {"media"})
    assert typed == ["whisper-transcriber"]


def test_ordinary_hyphenated_words_are_not_names():
    question = "Why are pods crash-looping and out-of-memory after a read-only re-run?"
    assert phrases(question, set())[1] == []


def test_alert_labels_name_the_subject():
    hints = hints_from_alert(
        {
            "alertname": "GPUXidError",
            "Hostname": "gpu-node-3",
            "gpu": "2",
            "namespace": "ml",
            "pod": "trainer-0",
            "job_name": "llama-finetune",
        }
    )
    assert hints.namespace == "ml"
    assert hints.pod == "trainer-0"
    assert hints.nodes == ["gpu-node-3"]
    assert hints.gpu == "2"
    assert ("Job", "llama-finetune") in hints.workloads
