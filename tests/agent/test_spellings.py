"""Names spelled with their namespace or kind, and the namespace phrases (pure functions)."""

from __future__ import annotations

import pytest

from holmes.agent.engine.names import STOPWORDS, namespace_in_question, phrases
from holmes.agent.engine.spellings import Spelled, spelled_names, without_spans

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
