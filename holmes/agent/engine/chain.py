"""Causal chains: follow the object a finding blames, and answer symptom -> cause -> root.

A runbook finding may name a next subject (`next:` in the runbook: templates or a CEL
expression, see `runbooks/schema.py`): the upstream behind a 5xx, the pod behind an empty
Service, the workload whose traffic a policy drops, the node that would serve a claim. The
engine investigates that subject with the same triage and runbooks (`HopJudge`), at most
`MAX_SUBJECTS` subjects deep, never the same subject twice and never the same finding twice,
within `MAX_CHAIN_CALLS` extra tool calls. `chained` then writes the answer as a chain: each
hop with its own claims and evidence ids, the remediation at the root first.

Called by the engine (`RunbookEngine._investigate`); pure apart from the hop judge it is given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from holmes.agent.engine.diagnosis import ChainHop, Claim, Diagnosis, SubjectRef
from holmes.agent.engine.findings import Verdict, write
from holmes.agent.engine.intake import AlertInput, InvestigationRequest
from holmes.agent.engine.rules.expressions import ExpressionError, evaluate, render, truthy
from holmes.agent.engine.triage import Triage

MAX_SUBJECTS = 3  # symptom -> proximate cause -> root cause
MAX_CHAIN_CALLS = 80  # tool calls the later hops may add to the first hop's
# The alert label that names each kind to triage exactly (`names.hints_from_alert`).
_KIND_LABELS = {
    "Deployment": "deployment",
    "StatefulSet": "statefulset",
    "DaemonSet": "daemonset",
    "Job": "job_name",
    "CronJob": "cronjob",
    "Service": "service",
    "Pod": "pod",
    # DCGM's label: a node hop is then asked as a GPU alert on that node would be, so the
    # GPU runbooks are among those its signals point at.
    "Node": "Hostname",
}

# (the hop's request, the (runbook, finding) pairs already in the chain) -> triage, verdicts.
HopJudge = Callable[
    [InvestigationRequest, set[tuple[str, str]]], Awaitable[tuple[Triage, list[Verdict]]]
]


@dataclass
class Link:
    """One hop: the subject investigated and the finding that held there."""

    subject: SubjectRef | None
    verdict: Verdict
    relation: str = ""


def next_subjects(verdict: Verdict) -> list[tuple[SubjectRef, str]]:
    """The subjects a verdict's finding blames (with the relation), in order; none when the
    finding names none or its expressions do not resolve."""
    spec = verdict.finding.next
    if spec is None:
        return []
    scope = verdict.variables
    try:
        if spec.when and not truthy(spec.when, scope, verdict.functions):
            return []
        relation = render(spec.relation, scope, verdict.functions).strip() if spec.relation else ""
        if spec.expression:
            found = evaluate(spec.expression, scope, verdict.functions)
            raw = found if isinstance(found, list) else [found]
        else:
            raw = [
                {
                    "kind": render(spec.kind or "", scope, verdict.functions),
                    "namespace": render(spec.namespace or "", scope, verdict.functions),
                    "name": render(spec.name or "", scope, verdict.functions),
                }
            ]
    except ExpressionError:
        return []
    return [(ref, relation) for item in raw if (ref := _ref(item)) is not None]


def _ref(item: Any) -> SubjectRef | None:
    """A subject from `{kind, namespace, name}`; None when a part is missing or unknown."""
    if not isinstance(item, dict):
        return None
    kind = str(item.get("kind") or "").strip()
    name = str(item.get("name") or "").strip()
    namespace = str(item.get("namespace") or "").strip() or None
    if kind not in _KIND_LABELS or not name:
        return None
    if "/" in name:  # `namespace/name`, as several tools print it
        namespace, name = name.split("/", 1)
    return SubjectRef(kind=kind, namespace=None if kind == "Node" else namespace, name=name)


def hop_request(subject: SubjectRef) -> InvestigationRequest:
    """The request that makes triage resolve exactly `subject` (as an alert's labels would)."""
    labels = {_KIND_LABELS[subject.kind]: subject.name}
    if subject.namespace:
        labels["namespace"] = subject.namespace
    return InvestigationRequest(alert=AlertInput(labels=labels))


def first_subject(triaged: Triage) -> SubjectRef | None:
    """What the question was about, as the first hop's subject (None: a namespace or the
    cluster)."""
    subject = triaged.subject
    for group in ("workloads", "services", "named_pods"):
        for ref in subject.get(group) or []:
            return SubjectRef(kind=ref["kind"], namespace=ref["namespace"], name=ref["name"])
    nodes = subject.get("nodes") or []
    return SubjectRef(kind="Node", name=nodes[0]) if nodes else None


def _key(subject: SubjectRef | None) -> tuple[str, str, str] | None:
    if subject is None:
        return None
    return (subject.kind, subject.namespace or "", subject.name)


async def _first_found(
    candidates: list[tuple[SubjectRef, str]],
    judge_hop: HopJudge,
    findings: set[tuple[str, str]],
    seen: set[tuple[str, str, str] | None],
    notes: list[str],
    budget: int,
    calls_so_far: Callable[[], int],
) -> tuple[SubjectRef, str, list[Verdict]] | None:
    """The first candidate the cluster has, judged: (subject, relation, verdicts); None when
    none is found or the call budget is spent."""
    for subject, relation in candidates:
        seen.add(_key(subject))
        if calls_so_far() >= budget:
            notes.append(f"chain: {subject.text()} not investigated (tool call budget spent)")
            return None
        triaged, verdicts = await judge_hop(hop_request(subject), set(findings))
        if triaged.subject.get("scope") == "named":
            return subject, relation, verdicts
        notes.append(f"chain: {subject.text()} was not found, so the chain does not go there")
    return None


async def follow(
    first: Verdict,
    start: SubjectRef | None,
    judge_hop: HopJudge,
    calls_so_far: Callable[[], int],
    notes: list[str],
) -> list[Link]:
    """The chain from `first`: each next subject investigated until one names none, the
    depth or the call budget is reached, or a subject or finding would repeat."""
    links = [Link(start, first)]
    seen = {_key(start)}
    findings = {(first.runbook.id, first.finding.id)}
    budget = calls_so_far() + MAX_CHAIN_CALLS
    while len(links) < MAX_SUBJECTS:
        candidates = [c for c in next_subjects(links[-1].verdict) if _key(c[0]) not in seen]
        found = await _first_found(
            candidates, judge_hop, findings, seen, notes, budget, calls_so_far
        )
        if found is None:
            break
        subject, relation, verdicts = found
        fresh = [v for v in verdicts if (v.runbook.id, v.finding.id) not in findings]
        if not fresh:
            notes.append(
                f"chain: {subject.text()} investigated ({relation or 'named by the finding'}); "
                "no runbook finding holds there, so the chain ends at the hop before it"
            )
            break
        findings.add((fresh[0].runbook.id, fresh[0].finding.id))
        links.append(Link(subject, fresh[0], relation))
    return links


def _role(index: int, count: int) -> str:
    if index == count - 1:
        return "root_cause"
    return "symptom" if index == 0 else "proximate_cause"


def hops(links: list[Link]) -> list[ChainHop]:
    """The typed hops of a chain, each with its own claims and evidence ids."""
    written = [write(link.verdict, link.verdict.functions) for link in links]
    return [
        ChainHop(
            role=_role(index, len(links)),  # type: ignore[arg-type]
            subject=link.subject,
            runbook_id=link.verdict.runbook.id,
            finding_id=link.verdict.finding.id,
            summary=fields["summary"],
            root_cause=fields["root_cause"],
            relation=link.relation,
            evidence=fields["evidence"],
        )
        for index, (link, fields) in enumerate(zip(links, written, strict=True))
    ]


def chained(diagnosis: Diagnosis, links: list[Link]) -> Diagnosis:
    """`diagnosis` (the first hop's answer) rewritten as a chain when there is more than one
    hop: the root hop's cause leads, every hop's root cause stays in the text, every hop's
    claims are cited, and the root's remediation comes first."""
    if len(links) < 2:
        return diagnosis
    chain = hops(links)
    root = write(links[-1].verdict, links[-1].verdict.functions)
    route = " -> ".join(_hop_line(hop) for hop in chain)
    diagnosis.chain = chain
    middle = "".join(
        f"; that is because {_where(hop)}: {hop.summary.rstrip('.')}" for hop in chain[1:-1]
    )
    diagnosis.root_cause = (
        f"{chain[0].summary.rstrip('.')}{middle}; the root cause is at {_where(chain[-1])}: "
        f"{root['root_cause']}"
    )
    diagnosis.summary = (
        f"{chain[0].summary.rstrip('.')} <- {_hop_line(chain[-1])}: {chain[-1].summary}"
    )
    diagnosis.explanation = "\n".join(
        [
            f"Chain: {route}.",
            *(f"{_label(hop)}: {hop.root_cause}" for hop in chain),
            root["explanation"],
            diagnosis.explanation,
        ]
    ).strip()
    diagnosis.evidence = _claims(chain)
    diagnosis.remediation = root["remediation"] + [
        step for step in diagnosis.remediation if step not in root["remediation"]
    ]
    diagnosis.confidence = min(
        (diagnosis.confidence, root["confidence"]), key=["low", "medium", "high"].index
    )
    return diagnosis


def _where(hop: ChainHop) -> str:
    """`Kind ns/name (relation)`: where a hop is and why it was followed."""
    where = hop.subject.text() if hop.subject else "the namespace"
    return f"{where} ({hop.relation})" if hop.relation else where


def _hop_line(hop: ChainHop) -> str:
    return f"{hop.subject.text() if hop.subject else 'the namespace'} [{hop.runbook_id}]"


def _label(hop: ChainHop) -> str:
    return hop.role.replace("_", " ").capitalize()


def _claims(chain: list[ChainHop]) -> list[Claim]:
    """Every hop's claims, each once, prefixed with the hop's subject past the first."""
    claims: list[Claim] = []
    for index, hop in enumerate(chain):
        for claim in hop.evidence:
            text = (
                claim.claim
                if index == 0 or hop.subject is None
                else (f"[{hop.subject.text()}] {claim.claim}")
            )
            claims.append(Claim(claim=text, evidence_ids=claim.evidence_ids))
    return claims
