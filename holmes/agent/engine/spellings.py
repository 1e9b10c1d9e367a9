"""Names a question spells out with their namespace or their kind: pure functions over text.

People name things the ways kubectl, DNS and chat taught them:

    web.shop.svc.cluster.local, web.shop.svc   the Service web in namespace shop
    shop/web, web.shop                         web in namespace shop (shop a known namespace)
    deploy/web, configmap/web-config           kubectl's kind/name
    the ConfigMap web-config, the web-config configmap, service account trainer-sa

`spelled_names` finds them, each with the span it came from, so triage resolves them exactly
(and leaves their words out of the fragment matching of `names.phrases`). Every name is
checked against Kubernetes' naming rules for its kind before triage asks anything about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from holmes.tools.facts.object_names import is_label, valid_name

# Words (and kubectl's short names) for kinds, as people write them before or after a name.
KIND_WORDS: dict[str, str] = {
    "configmap": "ConfigMap",
    "config map": "ConfigMap",
    "cm": "ConfigMap",
    "secret": "Secret",
    "serviceaccount": "ServiceAccount",
    "service account": "ServiceAccount",
    "sa": "ServiceAccount",
    "rolebinding": "RoleBinding",
    "role binding": "RoleBinding",
    "role": "Role",
    "hpa": "HorizontalPodAutoscaler",
    "horizontalpodautoscaler": "HorizontalPodAutoscaler",
    "autoscaler": "HorizontalPodAutoscaler",
    "pvc": "PersistentVolumeClaim",
    "persistentvolumeclaim": "PersistentVolumeClaim",
    "volume claim": "PersistentVolumeClaim",
    "networkpolicy": "NetworkPolicy",
    "network policy": "NetworkPolicy",
    "netpol": "NetworkPolicy",
    "pdb": "PodDisruptionBudget",
    "ingress": "Ingress",
    "deployment": "Deployment",
    "deploy": "Deployment",
    "statefulset": "StatefulSet",
    "sts": "StatefulSet",
    "daemonset": "DaemonSet",
    "ds": "DaemonSet",
    "cronjob": "CronJob",
    "cron job": "CronJob",
    "job": "Job",
    "pod": "Pod",
    "po": "Pod",
    "service": "Service",
    "svc": "Service",
    "resourceclaim": "ResourceClaim",
}
# Short names are kubectl's (`cm/x`, `sa/x`), not English: only before a slash.
_SLASH_ONLY = frozenset({"cm", "sa", "ds", "sts", "po", "svc", "deploy", "netpol", "pdb"})
# Kinds never the subject of a question's name (an Event names the object it is about).
_NOT_SUBJECTS = frozenset({"Event", "Binding", "ComponentStatus"})
# Ordinary words that follow or precede a kind word in a sentence ("the deployment scales up",
# "the secret missing", "the inference service"): never a name beside a kind word. Names with
# a hyphen or a digit, and names in `kind/name`, are never filtered.
_ENGLISH_TEXT = """
    scales scaled scaling missing list lists listed ran runs blocks blocked blocking returns
    returned says said shows showed uses used using needs needed works worked working fails
    failed exists existed gets got has had keeps kept seems looks points pointing changed
    changes updated created deleted deployed mounted mounts selects selected allows allowed
    denies denied drops dropped times timed hangs hung dies died restarts restarted is was
    inference serving training default main primary new old same other every each all both
    itself config data status spec yaml file error errors log logs
"""
_ENGLISH = frozenset(_ENGLISH_TEXT.split())
_NAME = r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?"
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_EDGE_BEFORE = r"(?<![\w./:-])"
_EDGE_AFTER = r"(?![\w/-]|\.[\w-])"
_DNS = re.compile(
    rf"{_EDGE_BEFORE}(?:https?://)?({_LABEL})\.({_LABEL})\.svc(?:\.cluster\.local)?\.?"
    r"(?::\d+)?(?![\w-])",
    re.IGNORECASE,
)
# `ns/name`, `kind/name`, `kind.group/name`, `kind.version.group/name` (kubectl's spellings).
_SLASHED = re.compile(
    rf"{_EDGE_BEFORE}({_LABEL}(?:\.{_LABEL})*)/({_NAME}){_EDGE_AFTER}", re.IGNORECASE
)
_DOTTED = re.compile(rf"{_EDGE_BEFORE}({_LABEL})\.({_LABEL})(?::\d+)?{_EDGE_AFTER}", re.IGNORECASE)


@dataclass(frozen=True)
class KindVocabulary:
    """The words that name kinds: `words` beside a name ("the PyTorchJob sft-7b"), `slashed`
    before a slash (those and kubectl's short names and `kind.group` forms: `isvc/llama`)."""

    words: dict[str, str]
    slashed: dict[str, str]


def vocabulary(kinds: list[dict[str, Any]] | None = None) -> KindVocabulary:
    """The vocabulary of the hand-written English words plus, from discovery rows
    (`kubernetes_kinds`: kind, plural, singular, short_names, group, api_version, namespaced),
    every namespaced kind's kind, singular and plural, and its short names before a slash."""
    words = {w: k for w, k in KIND_WORDS.items() if w not in _SLASH_ONLY}
    slashed = dict(KIND_WORDS)
    for row in kinds or []:
        kind = str(row.get("kind") or "")
        if not kind or kind in _NOT_SUBJECTS or not (row.get("namespaced") or kind == "Node"):
            continue
        spellings = {kind.lower(), str(row.get("plural") or ""), str(row.get("singular") or "")}
        spellings.discard("")
        for word in spellings:
            words.setdefault(word, kind)
        group, version = row.get("group") or "", str(row.get("api_version") or "").split("/")[-1]
        for word in spellings | {s.lower() for s in row.get("short_names") or ()}:
            slashed.setdefault(word, kind)
            if group:
                slashed.setdefault(f"{word}.{group}", kind)
                slashed.setdefault(f"{word}.{version}.{group}", kind)
    return KindVocabulary(words, slashed)


@lru_cache(maxsize=32)
def _beside_patterns(words: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The kind-then-name and name-then-kind patterns of a set of kind words (cached: the
    vocabulary of one cluster is the same from one question to the next)."""
    alternatives = "|".join(
        sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True)
    )
    kind_then_name = re.compile(
        rf"\b({alternatives})s?\s+(?:named\s+|called\s+)?[`'\"]?({_NAME})[`'\"]?(?![\w-])",
        re.IGNORECASE,
    )
    name_then_kind = re.compile(
        rf"(?<![\w.-])[`'\"]?({_NAME})[`'\"]?\s+({alternatives})\b", re.IGNORECASE
    )
    return kind_then_name, name_then_kind


DEFAULT_VOCABULARY = vocabulary()


@dataclass(frozen=True)
class Spelled:
    """A name the question spells exactly: its kind and namespace when it says them."""

    name: str
    namespace: str | None = None
    kind: str | None = None
    span: tuple[int, int] = (0, 0)
    # False for a plain word beside a kind word ("the secret token"): used when such an
    # object exists, never reported missing (it may be English, not a name).
    certain: bool = True
    # True when the namespace or kind is part of the name's syntax (DNS, `ns/name`,
    # `kind/name`): an exact name. False beside a kind word: a fragment may still be meant.
    qualified: bool = True


def kind_of(word: str, words: dict[str, str] | None = None) -> str | None:
    """The kind a word names (`configmap`, `service account`, `pytorchjobs`), else None."""
    words = KIND_WORDS if words is None else words
    key = re.sub(r"\s+", " ", word.strip().lower())
    return words.get(key) or words.get(key.removesuffix("s"))


def spelled_names(
    question: str,
    namespaces: set[str],
    stopwords: frozenset[str],
    kinds: KindVocabulary = DEFAULT_VOCABULARY,
) -> list[Spelled]:
    """The names `question` spells with a namespace or a kind, in order, each once.

    `namespaces` are the cluster's: `web.shop` and an unknown `x/y` need them to tell a
    namespace from a file name or a ratio; `stopwords` are words that never name an object;
    `kinds` the words that name the cluster's kinds (`vocabulary`).
    """
    found: list[Spelled] = []
    taken: list[tuple[int, int]] = []

    def add(spelled: Spelled) -> None:
        if spelled.name in stopwords or spelled.name in kinds.slashed:
            return
        if not valid_name(spelled.name, spelled.kind):
            return
        if spelled.namespace is not None and not is_label(spelled.namespace):
            return
        if any(a < spelled.span[1] and spelled.span[0] < b for a, b in taken):
            return
        taken.append(spelled.span)
        found.append(spelled)

    for match in _DNS.finditer(question):
        add(Spelled(match[1].lower(), match[2].lower(), "Service", match.span()))
    for match in _SLASHED.finditer(question):
        first, name = match[1].lower(), match[2].lower()
        kind = kind_of(first, kinds.slashed)
        if kind:
            add(Spelled(name, None, kind, match.span()))
        elif "." in first:
            continue  # `nvidia.com/gpu`, `example.com/x`: a group that serves no such kind
        elif first in namespaces or (_name_like(first) and _name_like(name)):
            add(Spelled(name, first, None, match.span()))
    for match in _DOTTED.finditer(question):
        if match[2].lower() in namespaces:
            add(Spelled(match[1].lower(), match[2].lower(), None, match.span()))
    kind_then_name, name_then_kind = _beside_patterns(frozenset(kinds.words))
    for match in kind_then_name.finditer(question):
        add(_beside_kind(match[2].lower(), kind_of(match[1], kinds.words), match.span(2)))
    for match in name_then_kind.finditer(question):
        add(_beside_kind(match[1].lower(), kind_of(match[2], kinds.words), match.span(1)))
    return sorted(found, key=lambda s: s.span)


def _beside_kind(name: str, kind: str | None, span: tuple[int, int]) -> Spelled:
    """A name written beside a kind word; certain only when it reads as a name."""
    if name in _ENGLISH:
        name = ""  # dropped by `add` (not a valid name)
    return Spelled(name, None, kind, span, certain=_name_like(name), qualified=False)


def _name_like(text: str) -> bool:
    """A word that reads as an object's name rather than English (`team-a`, `web2`)."""
    return "-" in text or (any(c.isdigit() for c in text) and any(c.isalpha() for c in text))


def without_spans(question: str, spelled: list[Spelled]) -> str:
    """The question with the qualified names blanked, for the fragment matching of the rest."""
    text = question
    for item in (s for s in spelled if s.qualified):  # the others stay for fragment matching
        start, end = item.span
        text = text[:start] + " " * (end - start) + text[end:]
    return text
