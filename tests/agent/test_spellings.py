"""Names spelled with their namespace or kind, and the namespace phrases (pure functions)."""

from __future__ import annotations

import pytest

from holmes.agent.engine.names import STOPWORDS, namespace_in_question, phrases
from holmes.agent.engine.resolve import LISTED_KINDS
from holmes.agent.engine.spellings import Spelled, spelled_names, vocabulary, without_spans

NAMESPACES = {"shop", "shop-prod", "team", "team-a", "search", "default"}


def spelled(question: str) -> list[tuple[str | None, str | None, str, bool]]:
    return [
        (s.kind, s.namespace, s.name, s.certain)
        for s in spelled_names(question, NAMESPACES, STOPWORDS)
    ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("why is web.shop.svc.cluster.local slow?", [("Service", "shop", "web", True)]),
        (
            "curl http://web.shop-prod.svc:8080/health fails",
            [("Service", "shop-prod", "web", True)],
        ),
        ("why does shop-prod/checkout restart?", [(None, "shop-prod", "checkout", True)]),
        ("is checkout.shop-prod down?", [(None, "shop-prod", "checkout", True)]),
        ("kubectl describe deploy/web -n team-a", [("Deployment", None, "web", True)]),
        ("what about cm/web-config?", [("ConfigMap", None, "web-config", True)]),
        ("the ConfigMap web-config changed", [("ConfigMap", None, "web-config", True)]),
        ("pods using the web-config configmap crash", [("ConfigMap", None, "web-config", True)]),
        (
            "service account trainer-sa can't list pods",
            [("ServiceAccount", None, "trainer-sa", True)],
        ),
        ("what does the hpa web-hpa say?", [("HorizontalPodAutoscaler", None, "web-hpa", True)]),
        ("the role binding ci-deployers is wrong", [("RoleBinding", None, "ci-deployers", True)]),
        ("the role pod-reader", [("Role", None, "pod-reader", True)]),
    ],
)
def test_names_spelled_with_a_namespace_or_a_kind(question, expected):
    # ("pods using ..." also yields an uncertain Pod "using": never looked up, never missing)
    assert [s for s in spelled(question) if s[3]] == expected


@pytest.mark.parametrize(
    "question",
    [
        "3/4 pods are ready, read/write errors since 14:00",  # ratios and English pairs
        "config.yaml is wrong, e.g. the nvidia.com/gpu limit",  # files, e.g., resource names
        "why is web failing in namespace team-a?",
        "and/or the job keeps failing",
        "why is the job stuck?",  # a kind word beside a stop word
    ],
)
def test_text_that_only_looks_like_a_spelled_name(question):
    assert [s for s in spelled(question) if s[3]] == []


def test_a_plain_word_beside_a_kind_word_is_not_certain():
    # "the secret token" may be English: used when such a Secret exists, never called missing.
    assert spelled("the secret token expired") == [("Secret", None, "token", False)]


def test_names_that_break_kubernetes_rules_are_dropped():
    assert spelled("why is Web_App.shop broken?") == []
    assert spelled("service account x..y fails") == []


def test_qualified_names_leave_the_fragment_matching():
    question = "why can't search-api reach reranker.search.svc.cluster.local?"
    found = spelled_names(question, NAMESPACES, STOPWORDS)
    candidates, typed = phrases(without_spans(question, found), NAMESPACES)
    assert found == [Spelled("reranker", "search", "Service", found[0].span)]
    assert typed == ["search-api"]
    assert not any("svc" in c or "local" in c for c in candidates)


@pytest.mark.parametrize(
    ("question", "namespace"),
    [
        ("why is web failing in team-a?", "team-a"),
        ("web in the team-a namespace is down", "team-a"),
        ("web in the `team-a` namespace is down", "team-a"),
        ("kubectl get pods --namespace=team-a shows errors", "team-a"),
        ("kubectl get pods -n team-a shows errors", "team-a"),
        ("pods in ns team-a restart", "team-a"),
        ("web failing in team-b?", None),  # "team" is not the start of an unknown "team-b"
        ("why is web slow?", None),
    ],
)
def test_namespace_phrases_keep_hyphenated_names_whole(question, namespace):
    assert namespace_in_question(question, NAMESPACES) == namespace


# Discovery rows as `kubernetes_kinds` returns them: built-in kinds and two CRDs.
DISCOVERY = [
    {
        "kind": k,
        "plural": p,
        "singular": k.lower(),
        "short_names": s,
        "group": g,
        "api_version": f"{g}/v1" if g else "v1",
        "namespaced": n,
    }
    for k, p, s, g, n in [
        ("Pod", "pods", ["po"], "", True),
        ("ConfigMap", "configmaps", ["cm"], "", True),
        ("ServiceAccount", "serviceaccounts", ["sa"], "", True),
        ("PersistentVolumeClaim", "persistentvolumeclaims", ["pvc"], "", True),
        ("Event", "events", ["ev"], "", True),
        ("Node", "nodes", ["no"], "", False),
        ("PersistentVolume", "persistentvolumes", ["pv"], "", False),
        ("Deployment", "deployments", ["deploy"], "apps", True),
        ("StatefulSet", "statefulsets", ["sts"], "apps", True),
        ("HorizontalPodAutoscaler", "horizontalpodautoscalers", ["hpa"], "autoscaling", True),
        ("NetworkPolicy", "networkpolicies", ["netpol"], "networking.k8s.io", True),
        ("InferenceService", "inferenceservices", ["isvc"], "serving.kserve.io", True),
        ("PyTorchJob", "pytorchjobs", [], "kubeflow.org", True),
        ("RayJob", "rayjobs", [], "ray.io", True),
    ]
]
KINDS = vocabulary(DISCOVERY)


def discovered(question: str) -> list[tuple[str | None, str | None, str, bool]]:
    return [
        (s.kind, s.namespace, s.name, s.certain)
        for s in spelled_names(question, NAMESPACES, STOPWORDS, KINDS)
    ]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("why is inferenceservice/llama-chat not ready?", ("InferenceService", "llama-chat")),
        ("kubectl get isvc/llama -n search", ("InferenceService", "llama")),
        ("what happened to pytorchjob/sft-7b?", ("PyTorchJob", "sft-7b")),
        ("pytorchjobs/sft-7b fails", ("PyTorchJob", "sft-7b")),
        ("rayjob.ray.io/train is stuck", ("RayJob", "train")),
        ("rayjobs.v1.ray.io/train is stuck", ("RayJob", "train")),
        ("deploy/web and sts/db", ("Deployment", "web")),
        ("pvc/model-cache is full", ("PersistentVolumeClaim", "model-cache")),
        ("netpol/deny-all blocks it", ("NetworkPolicy", "deny-all")),
        ("hpa/embedder is at max", ("HorizontalPodAutoscaler", "embedder")),
        ("the InferenceService llama-chat is down", ("InferenceService", "llama-chat")),
        ("is the pytorchjob sft healthy?", ("PyTorchJob", "sft")),
        ("the llama InferenceService returns 503", ("InferenceService", "llama")),
    ],
)
def test_kinds_from_discovery_in_every_spelling(question, expected):
    assert (discovered(question)[0][0], discovered(question)[0][2]) == expected


def test_a_single_word_after_a_kind_word_is_looked_up_but_never_called_missing():
    assert discovered("what about the pytorchjob sft?") == [("PyTorchJob", None, "sft", False)]


@pytest.mark.parametrize(
    "question",
    [
        "unknownkind/foo-bar.example is odd",  # a word no kind has, with a dot: a file path
        "the nvidia.com/gpu limit and example.com/x",  # a group serving no such kind
        "podmonitor/scrape is not a kind here",
        "pv/data is cluster-scoped",  # only namespaced kinds (and nodes) are subjects
        "events/web-1 says nothing",  # events name other objects
    ],
)
def test_words_no_served_kind_has_name_nothing(question):
    assert [s for s in discovered(question) if s[0] is not None] == []


ORDINARY = [
    "why is the service slow since the deploy this morning?",
    "the pods keep crashing after the rollout, is the model too big for the gpu?",
    "which jobs failed in the last hour and why did the training stop?",
    "the inference service returns errors when the deployment scales up",
    "my pytorch job is stuck, the workers are waiting for the master",
    "is the config map wrong or the secret missing? the service account can't list pods",
    "the node ran out of disk and the pod was evicted, the volume claim is full",
    "network policy blocks traffic from the ingress to the backend",
    "autoscaler never scales past three replicas although cpu is high",
]


@pytest.mark.parametrize("question", ORDINARY)
def test_ordinary_english_names_no_certain_subject(question):
    # Nothing certain (reported missing when absent), and nothing uncertain that would cost a
    # lookup request: "my pytorch job" may name a listed Job, matched against the listing only.
    found = discovered(question)
    assert [s for s in found if s[3]] == []
    assert [s for s in found if s[0] not in LISTED_KINDS] == []
