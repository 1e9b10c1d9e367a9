"""CEL functions of the pods runbooks, and the describe data they read (env, probes)."""

from __future__ import annotations

from holmes.agent.engine.rules import builtin_functions
from holmes.agent.engine.rules.expressions import evaluate
from holmes.agent.engine.rules.functions_pods import (
    env_named,
    env_refs,
    env_text,
    exit_meaning,
    failure,
    keys,
    owner,
    owners_of_kind,
    probe_events,
    similar_command,
)
from holmes.tools.kubernetes.describe_pod import _env, _env_from, _probe

FUNCTIONS = builtin_functions()

POD = {
    "namespace": "asr",
    "pod": "w-86c9-j7mqs",
    "owner_refs": [
        {"kind": "ReplicaSet", "name": "w-86c9", "namespace": "asr", "summary": "ready 0/1"},
        {"kind": "Deployment", "name": "w", "namespace": "asr", "summary": "ready 3/3"},
    ],
    "events": [
        {
            "reason": "Unhealthy",
            "field_path": "spec.containers{srv}",
            "message": "Liveness probe failed: HTTP probe failed with statuscode: 503",
            "count": 18,
        },
        {
            "reason": "Unhealthy",
            "field_path": "spec.containers{srv}",
            "message": "Readiness probe failed: HTTP probe failed with statuscode: 503",
            "count": 100,
        },
        {
            "reason": "Killing",
            "field_path": "spec.containers{srv}",
            "message": "Container srv failed liveness probe, will be restarted",
            "count": 6,
        },
        {
            "reason": "Killing",
            "field_path": "spec.containers{other}",
            "message": "Container other failed liveness probe, will be restarted",
            "count": 2,
        },
    ],
}


def test_failure_prefers_the_current_termination_then_the_last() -> None:
    waiting = {"state": {"waiting": {"reason": "CrashLoopBackOff"}}, "last_exit_code": 1}
    waiting |= {"last_reason": "Error", "last_message": None, "last_finished": "t"}
    assert failure(waiting)["exit_code"] == 1
    assert failure(waiting)["current"] is False
    assert failure(waiting)["meaning"].startswith("generic application error")
    done = {"state": {"terminated": {"reason": "StartError", "exitCode": 128, "message": "m"}}}
    assert failure(done)["reason"] == "StartError" and failure(done)["current"] is True
    assert failure({})["exit_code"] is None and failure({})["meaning"] == ""
    assert exit_meaning(137).startswith("SIGKILL") and exit_meaning(None) == "unknown"


def test_owner_is_the_top_controller_or_the_pod_itself() -> None:
    top = owner(POD)
    assert top["kind"] == "Deployment" and top["name"] == "w" and top["ref"] == "deployment/w"
    assert owner({"namespace": "d", "pod": "bare", "owners": []})["ref"] == "pod/bare"
    assert owners_of_kind(POD, "ReplicaSet")[0]["name"] == "w-86c9"
    assert owners_of_kind(POD, "Job") == []


def test_env_named_finds_entries_by_name_or_quoted_value() -> None:
    container = {
        "env": [
            {"name": "MODEL", "value": "large"},
            {"name": "NUM_WORKERS", "value": "auto"},
            {"name": "TOKEN", "value": None, "source": {"kind": "Secret", "name": "t", "key": "k"}},
        ]
    }
    line = "ValueError: invalid literal for int() with base 10: 'auto'"
    assert env_named(container, line) == ["NUM_WORKERS=auto"]
    assert env_named(container, "KeyError: TOKEN") == ["TOKEN from Secret t key k"]
    assert env_named(container, "the large model") == []  # unquoted values are not enough
    assert [e["text"] for e in env_refs(container, "Secret", "t")] == ["TOKEN from Secret t key k"]
    assert env_refs(container, "ConfigMap") == []
    assert env_text({"name": "P", "source": {"kind": "field", "name": "metadata.name"}}) == (
        "P from field metadata.name"
    )


def test_probe_events_count_failures_and_kills_of_one_container() -> None:
    live = probe_events(POD, "srv", "liveness")
    assert live == {
        "failures": 18,
        "message": "Liveness probe failed: HTTP probe failed with statuscode: 503",
        "kills": 6,
    }
    assert probe_events(POD, "srv", "readiness")["failures"] == 100
    assert probe_events(POD, "srv", "startup")["kills"] == 0


def test_keys_and_similar_command() -> None:
    assert keys({"a": 1, "b": 2}) == ["a", "b"] and keys(None) == []
    assert similar_command("wge") == "wget"
    assert similar_command("pyhton") == "python"
    assert similar_command("wget") == ""
    assert similar_command("frobnicate") == ""


def test_functions_are_callable_from_cel() -> None:
    assert evaluate("k8s.owner(p).ref", {"p": POD}, FUNCTIONS) == "deployment/w"
    assert evaluate("k8s.probe_events(p, 'srv', 'liveness').kills", {"p": POD}, FUNCTIONS) == 6


def test_describe_data_shapes_env_and_probes() -> None:
    assert _env({"name": "A", "value": "1"}) == {"name": "A", "value": "1"}
    secret = _env({"name": "T", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}})
    assert secret["source"] == {"kind": "Secret", "name": "s", "key": "k", "optional": False}
    assert _env_from({"configMapRef": {"name": "c"}, "prefix": "X_"})["prefix"] == "X_"
    probe = _probe(
        {
            "httpGet": {"path": "/health", "port": 8000},
            "initialDelaySeconds": 60,
            "periodSeconds": 10,
            "failureThreshold": 3,
        }
    )
    assert probe["handler"] == "HTTP GET /health on port 8000"
    assert probe["budget_seconds"] == 80  # first probe at 60 s, third failure at 80 s
    assert _probe({"tcpSocket": {"port": 5432}})["timeout_seconds"] == 1  # kubelet default
