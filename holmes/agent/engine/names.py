"""Finding the objects a question or an alert talks about: pure functions over name listings.

"Why does the embedding worker in namespace search keep restarting?" names the namespace
`search` and, in two words, the Deployment `embedding-worker`. Alert labels name things
exactly (`namespace`, `pod`, `deployment`, `Hostname`, ...). These functions pull those hints
out of the text and labels, and match them against the names the cluster has (as listed by
triage), best match first. A hyphenated name the user typed that matches nothing is reported
as missing, so the answer can say the workload does not exist rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from holmes.agent.engine.spellings import Spelled
from holmes.tools.facts.metric_labels import node_candidates, workload_of
from holmes.tools.facts.name_match import match_quality

# Alert labels that name a namespace, a pod, a workload, a node; in order of preference. The
# metric conventions (exported_* before namespace/pod, Hostname/hostname/node/instance) are
# read by holmes.tools.facts.metric_labels first; these are the other spellings alerts use.
NAMESPACE_LABELS = ("destination_namespace", "k8s_namespace")
POD_LABELS = ("kubernetes_pod_name",)
WORKLOAD_LABELS = {
    "deployment": "Deployment",
    "statefulset": "StatefulSet",
    "daemonset": "DaemonSet",
    "job_name": "Job",
    "cronjob": "CronJob",
    "service": None,
    "destination_workload": None,
    "source_workload": None,
    "workload": None,
    "app": None,
}
NODE_LABELS = ("exported_node", "nodename")

# Words that never name an object on their own.
_STOPWORD_TEXT = """
    a an the is are was were be been being am do does did doing has have had having i my
    me we our you your it its this that these those what why how when where which who whom
    whose there here in on at of for to from by with without into onto about over under after
    before since until and or but not no nor so than too very can can't cannot could should
    would will won't isn't aren't wasn't doesn't don't didn't hasn't haven't keep keeps kept
    stop stopped stops start started starting starts failing fail failed fails failure down up
    why's what's it's going wrong issue issues problem problems error errors happening
    happened namespace namespaces ns cluster pod pods job jobs deployment deployments service
    services node nodes container containers workload workloads app application running run
    runs stuck pending restarting restart restarts crash crashing crashes crashloop new old
    today yesterday morning afternoon evening last hour hours minute minutes all any some
    never ever still just only also again get gets getting got make making made see seeing
    seems seem look looks looking please tell explain show help broken slow slowed slowing
    timing time times out returning return returns reach reaching calls call calling fine
    healthy unhealthy progress rollout rolled deploy deployed upgrade model models
    through via while other another one two three same such much many more most less
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Parts of ordinary hyphenated English an on-call engineer types ("out-of-memory").
_HYPHENATED_TEXT = """
    looping loop memory read write only follow multi attach non zero re built in
    flight long running high low priority level wide side date well known self so called
    real end user per cross node cluster pod container image pull back off liveness
    readiness startup probe time out rate limit dead lock e g i
"""
HYPHENATED_WORDS = frozenset(_HYPHENATED_TEXT.split())
GENERIC = {
    "gpu",
    "gpus",
    "api",
    "server",
    "worker",
    "workers",
    "training",
    "inference",
    "serving",
    "service",
    "job",
    "model",
    "chat",
    "search",
    "data",
    "web",
    "db",
}
_TOKEN = re.compile(r"[a-z0-9][a-z0-9._/-]*[a-z0-9]|[a-z0-9]")
# "namespace X", "X namespace", "-n X": tried in this order (each may also catch a stop word).
_NAMESPACE_PHRASES = (
    re.compile(r"(?:\bnamespace|--namespace|\bns)[=:\s]+[`'\"]?([a-z0-9][a-z0-9-]*)", re.I),
    re.compile(r"(?<![\w-])([a-z0-9][a-z0-9-]*)[`'\"]?\s+namespace\b", re.IGNORECASE),
    re.compile(r"(?:^|\s)-n[=\s]+([a-z0-9][a-z0-9-]*)", re.IGNORECASE),
)


@dataclass(frozen=True)
class Named:
    """An object by kind, namespace (None for cluster-scoped) and name."""

    kind: str
    namespace: str | None
    name: str
    # Known for kinds found through discovery (custom resources); not part of the identity.
    api_version: str | None = field(default=None, compare=False)


@dataclass
class Hints:
    """What a question and an alert say about the subject, before the cluster is asked."""

    namespace: str | None = None
    pod: str | None = None
    container: str | None = None
    workloads: list[tuple[str | None, str]] = field(default_factory=list)  # (kind, name)
    nodes: list[str] = field(default_factory=list)
    gpu: str | None = None
    phrases: list[str] = field(default_factory=list)
    typed_names: list[str] = field(default_factory=list)
    spelled: list[Spelled] = field(default_factory=list)  # names with a namespace or kind


def hints_from_alert(labels: dict[str, str]) -> Hints:
    """Hints from an alert's labels."""
    hints = Hints()
    workload = workload_of(labels)
    hints.namespace = workload.namespace or next(
        (labels[k] for k in NAMESPACE_LABELS if labels.get(k)), None
    )
    hints.pod = workload.pod or next((labels[k] for k in POD_LABELS if labels.get(k)), None)
    hints.container = workload.container or None
    for label, kind in WORKLOAD_LABELS.items():
        if labels.get(label):
            hints.workloads.append((kind, labels[label]))
    # Every candidate, most trusted first: triage keeps the first that is a cluster node.
    extra = [labels[k] for k in NODE_LABELS if labels.get(k)]
    hints.nodes = list(dict.fromkeys([*node_candidates(labels), *extra]))
    hints.gpu = labels.get("gpu") or labels.get("gpu_index") or None
    return hints


def namespace_in_question(question: str, namespaces: set[str]) -> str | None:
    """The namespace a question names: "namespace X", "the X namespace", "-n X",
    "--namespace=X", "ns X", or "in X" (X a namespace of the cluster)."""
    for pattern in _NAMESPACE_PHRASES:
        for match in pattern.finditer(question):
            name = match[1].lower()
            if name not in STOPWORDS:
                return name
    lowered = question.lower()
    for name in sorted(namespaces, key=len, reverse=True):
        # A namespace's name ends where a name does: "team" is not the start of "team-a".
        if re.search(rf"\b(?:in|from|of|on)\s+(?:the\s+)?{re.escape(name)}(?![\w-])", lowered):
            return name
    return None


def phrases(question: str, exclude: set[str]) -> tuple[list[str], list[str]]:
    """Candidate name fragments of a question, longest first, and the hyphenated names typed.

    Runs of up to three words that are not stop words become candidates joined by dashes
    ("embedding worker" -> "embedding-worker"); `exclude` (namespace names) are left out.
    """
    tokens = _TOKEN.findall(question.lower().replace("'s ", " "))
    typed = [
        t
        for t in tokens
        if "-" in t and t not in exclude and not t.startswith("-") and _looks_like_a_name(t)
    ]
    candidates: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if token and token not in STOPWORDS and token not in exclude:
            run.append(token)
            continue
        for size in range(min(3, len(run)), 0, -1):
            for start in range(len(run) - size + 1):
                phrase = "-".join(run[start : start + size])
                if phrase not in candidates:
                    candidates.append(phrase)
        run = []
    candidates.sort(key=lambda p: -len(p.split("-")))
    return candidates, typed


def _looks_like_a_name(token: str) -> bool:
    """A hyphenated token names an object unless it is an ordinary hyphenated word
    ("crash-looping", "out-of-memory", "read-only"): then it is not reported as missing."""
    parts = [p for p in re.split(r"[-_.]", token) if p]
    return any(p not in STOPWORDS and p not in HYPHENATED_WORDS for p in parts)


def best_matches(phrase: str, names: list[Named]) -> list[tuple[int, Named]]:
    """The objects `phrase` names, at the best quality found (4 exact, 3 prefix, 2 all words).

    A one-word phrase is not a generic word, and names an object when it is the name, the
    name's prefix, or the start of one of the name's words ("embedding" -> text-embeddings);
    words merely containing it do not count ("rank" is not "reranker").
    """
    words = [w for w in re.split(r"[-_.]", phrase) if w]
    if len(words) == 1 and (phrase in GENERIC or len(phrase) < 3):
        return []
    scored = []
    for named in names:
        quality, _ = match_quality(phrase, named.name)
        if len(words) == 1 and quality == 2:
            name_words = re.split(r"[-_.]", named.name.lower())
            quality = 2 if len(phrase) >= 5 and any(w.startswith(phrase) for w in name_words) else 0
        if quality >= 2:
            scored.append((quality, named))
    if not scored:
        return []
    top = max(quality for quality, _ in scored)
    return [(quality, named) for quality, named in scored if quality == top]
