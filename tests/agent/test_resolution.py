"""Subject resolution end to end on replayed incidents: names in every spelling, objects of any
kind as the subject (and the pods they concern), missing names with look-alikes."""

from __future__ import annotations

from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.tools import default_registry

ENGINE = RunbookEngine(default_registry())


async def investigate(tool_context, bundle: str, question: str):
    return await ENGINE.investigate(InvestigationRequest(question=question), tool_context(bundle))


async def test_a_service_named_by_its_dns_name_in_a_hyphenated_namespace(tool_context):
    investigation = await investigate(
        tool_context,
        "oom-killed-checkout-by-service-dns-name",
        "why is checkout.shop-prod.svc.cluster.local:8080 answering 503?",
    )
    subject = investigation.triage.subject
    assert subject["namespace"] == "shop-prod"
    assert [(s["namespace"], s["name"]) for s in subject["services"]] == [("shop-prod", "checkout")]
    # the healthy checkout of namespace shop (what a split at the hyphen finds) is not the subject
    assert {p["namespace"] for p in subject["pods"]} == {"shop-prod"}
    assert investigation.diagnosis.runbook_id == "oom-killed"


async def test_ns_slash_name_wins_over_a_namespace_named_later(tool_context):
    investigation = await investigate(
        tool_context,
        "container-config-error-team-vision-slash-name",
        "why does team-vision/label-studio never start after we moved it from the team namespace?",
    )
    subject = investigation.triage.subject
    assert subject["namespace"] == "team-vision"
    assert [(w["namespace"], w["name"]) for w in subject["workloads"]] == [
        ("team-vision", "label-studio")
    ]
    assert "label-studio-db" in investigation.diagnosis.root_cause


async def test_a_configmap_is_the_subject_and_brings_the_pods_that_read_it(tool_context):
    investigation = await investigate(
        tool_context,
        "crashloop-app-error-configmap-named-vllm-runtime",
        "is something wrong with the configmap vllm-runtime-config in llm-serving?",
    )
    triaged = investigation.triage
    assert triaged.subject["objects"] == [
        {"kind": "ConfigMap", "namespace": "llm-serving", "name": "vllm-runtime-config"}
    ]
    assert sorted(p["name"] for p in triaged.subject["pods"]) == [
        "qwen-32b-8d7c6b5a49-m4q9z",
        "qwen-32b-8d7c6b5a49-x7k2p",
    ]
    [described] = triaged.objects
    assert described["ok"] and described["args"]["kind"] == "ConfigMap"
    lookup = [row for row in triaged.listing if row["tool"] == "kubernetes_lookup"]
    assert lookup and lookup[0]["args"]["namespace"] == "llm-serving"
    assert investigation.diagnosis.runbook_id == "crashloop-app-error"
    assert "32k" in investigation.diagnosis.root_cause


async def test_a_service_account_is_the_subject(tool_context):
    investigation = await investigate(
        tool_context,
        "crashloop-app-error-serviceaccount-named-rbac-forbidden",
        "what is wrong with service account index-sync in search-prod?",
    )
    subject = investigation.triage.subject
    assert {"kind": "ServiceAccount", "namespace": "search-prod", "name": "index-sync"} in subject[
        "objects"
    ]
    assert [p["name"] for p in subject["pods"]] == ["index-sync-7c5d9f8b6a-x7k2p"]
    assert "forbidden" in investigation.diagnosis.cause_text()


async def test_an_hpa_brings_its_scale_target(tool_context):
    investigation = await investigate(
        tool_context,
        "crashloop-app-error-whisper-env-noisy",
        "what is wrong with the hpa diarization-worker in namespace asr?",
    )
    subject = investigation.triage.subject
    assert any(o["kind"] == "HorizontalPodAutoscaler" for o in subject["objects"])
    assert [w["name"] for w in subject["workloads"]] == ["diarization-worker"]
    assert all(p["name"].startswith("diarization-worker-") for p in subject["pods"])


async def test_a_missing_name_is_reported_with_names_that_look_like_it(tool_context):
    investigation = await investigate(
        tool_context,
        "crashloop-app-error-configmap-named-vllm-runtime",
        "is the configmap vllm-runtime-cfg in llm-serving broken?",
    )
    diagnosis = investigation.diagnosis
    assert investigation.triage.subject["scope"] == "missing"
    assert diagnosis.fault_found is False
    assert "vllm-runtime-cfg" in diagnosis.root_cause
    assert "ConfigMap llm-serving/vllm-runtime-config" in diagnosis.explanation


async def test_a_plain_word_beside_a_kind_word_is_never_called_missing(tool_context):
    investigation = await investigate(
        tool_context,
        "crashloop-app-error-configmap-named-vllm-runtime",
        "did the secret rotation break qwen-32b in llm-serving?",
    )
    assert investigation.triage.subject["missing"] == []
    assert investigation.diagnosis.runbook_id == "crashloop-app-error"


async def test_a_typed_name_no_object_can_carry_is_missing_without_a_request(tool_context):
    investigation = await investigate(
        tool_context,
        "crashloop-app-error-configmap-named-vllm-runtime",
        "why does qwen-32b/v2/extra-path fail in llm-serving?",
    )
    lookups = [r for r in investigation.gatherer.results if r.tool == "kubernetes_lookup"]
    assert all("/" not in name for r in lookups for name in r.arguments["names"])
    assert any("not a valid Kubernetes object name" in n for n in investigation.triage.notes)


async def test_a_name_in_the_wrong_namespace_says_where_it_is(tool_context):
    investigation = await investigate(
        tool_context,
        "crashloop-app-error-configmap-named-vllm-runtime",
        "why is qwen-32b in namespace monitoring failing?",
    )
    diagnosis = investigation.diagnosis
    assert diagnosis.fault_found is False
    assert diagnosis.root_cause.startswith("qwen-32b does not exist in namespace monitoring")
    assert "Deployment llm-serving/qwen-32b" in diagnosis.explanation


PYTORCHJOB = "oom-killed-pytorchjob-kind-slash-name"


async def _custom_resource_subject(tool_context, question: str):
    investigation = await investigate(tool_context, PYTORCHJOB, question)
    triaged = investigation.triage
    assert triaged.subject["objects"] == [
        {"kind": "PyTorchJob", "namespace": "llm-train", "name": "sft-7b"}
    ]
    # the pods it owns join the subject; the succeeded sft-13b is not it
    assert sorted(p["name"] for p in triaged.subject["pods"]) == [
        "sft-7b-master-0",
        "sft-7b-worker-0",
    ]
    [described] = triaged.objects
    assert described["ok"] and described["args"]["api_version"] == "kubeflow.org/v1"
    return investigation


async def test_a_custom_resource_named_as_kind_slash_name_is_the_subject(tool_context):
    investigation = await _custom_resource_subject(
        tool_context, "why does pytorchjob/sft-7b keep restarting in llm-train?"
    )
    assert investigation.diagnosis.runbook_id == "oom-killed"
    assert "sft-7b-master-0" in investigation.diagnosis.root_cause


async def test_a_custom_resource_named_by_kind_group_or_kind_word(tool_context):
    # kubectl's `kind.group/name`, and the kind (from discovery) written before a one-word name
    await _custom_resource_subject(tool_context, "describe pytorchjobs.kubeflow.org/sft-7b")
    await _custom_resource_subject(tool_context, "is the PyTorchJob sft-7b in llm-train ok?")


async def test_ordinary_english_finds_no_object_and_nothing_missing(tool_context):
    # The bundle serves a CRD and its kind words; questions of ordinary words name nothing.
    for question in (
        "the pytorch job keeps restarting, is the training config wrong or the secret missing?",
        "the master and the worker were evicted after the deployment scales up, why?",
    ):
        investigation = await investigate(tool_context, PYTORCHJOB, question)
        assert investigation.triage.subject.get("objects", []) == []
        assert investigation.triage.subject.get("missing", []) == []


async def test_a_short_name_from_a_crd_reaches_pods_owned_through_a_deployment(tool_context):
    # `isvc` is the CRD's shortName (discovery); the predictor pods are owned by a ReplicaSet
    # of a Deployment the InferenceService owns.
    investigation = await investigate(
        tool_context,
        "oom-killed-kserve-inferenceservice-slash-name",
        "why is isvc/llama-chat not ready?",
    )
    triaged = investigation.triage
    assert triaged.subject["objects"] == [
        {"kind": "InferenceService", "namespace": "serving", "name": "llama-chat"}
    ]
    assert [p["name"] for p in triaged.subject["pods"]] == ["llama-chat-predictor-7d9f8c6b5-x2k9q"]
    assert investigation.diagnosis.runbook_id == "oom-killed"
