"""The answer when no runbook finding holds: say what the evidence shows, never guess.

Three cases: the subject asked about does not exist (and where something like it does); the
subject exists and its pods are running and ready with no warning events (no fault found);
or something is visibly wrong but no runbook explains it (the symptoms are reported as
observations, with no root cause claimed). "No fault found" needs every source the runbooks
asked to have answered: when one failed, the answer says what it could not check and why
(`degraded.unverified`). Called by the engine.
"""

from __future__ import annotations

from holmes.agent.engine.degraded import could_not_check, degraded, unverified
from holmes.agent.engine.diagnosis import Claim, Diagnosis, SourceUnavailable
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.next_steps import next_steps
from holmes.agent.engine.triage import Triage


def abstain(
    request: InvestigationRequest,
    triaged: Triage,
    unavailable: list[SourceUnavailable] | None = None,
) -> Diagnosis:
    """The Diagnosis that says no fault was shown (or could not be ruled out, when a source in
    `unavailable` failed), or that the subject does not exist. Its remediation lists the next
    steps that would decide (`next_steps.py`)."""
    subject = triaged.subject
    listing_ids = [r["id"] for r in triaged.listing if r["ok"]]
    if not listing_ids:
        diagnosis = _blind(triaged, unavailable or [])
    elif subject["scope"] == "missing":
        diagnosis = _missing(subject, listing_ids)
        _partly_listed(diagnosis, unavailable or [])
    else:
        diagnosis = _present(triaged, listing_ids, unavailable or [])
    diagnosis.sources_unavailable = unavailable or []
    if not diagnosis.remediation:
        diagnosis.remediation = next_steps(request, triaged, unavailable or [], subject["missing"])
    return diagnosis


def _present(
    triaged: Triage, listing_ids: list[str], unavailable: list[SourceUnavailable]
) -> Diagnosis:
    """The subject exists: something visibly wrong that no runbook explains, or no fault shown
    (or none that the sources which answered could show)."""
    subject = triaged.subject
    failed = degraded(unavailable)
    pods_ids = [p["id"] for p in triaged.pods + triaged.workloads if p["ok"]]
    unhealthy = subject["unhealthy_pods"]
    what = _what(subject)
    if unhealthy:
        rows = "; ".join(
            f"{p['namespace']}/{p['name']} {p['status']} ready {p['ready']}, "
            f"restarts {p['restarts']}"
            for p in unhealthy[:5]
        )
        unchecked = "".join(f" {line}" for line in could_not_check(failed))
        return Diagnosis(
            summary=f"{what}: something is wrong, but no runbook explains it",
            root_cause=f"Not determined: no runbook finding holds for {what}.{unchecked}",
            explanation=f"Observed: {rows}. Symptoms: {', '.join(triaged.symptoms) or 'none'}.",
            evidence=[Claim(claim=f"Observed: {rows}", evidence_ids=pods_ids or listing_ids)],
            confidence="none",
            fault_found=True,
        )
    pods = subject["pods"]
    healthy = "; ".join(f"{p['name']} {p['status']} {p['ready']}" for p in pods[:6])
    detail = (
        f"{len(pods)} pod(s) running and ready with no restarts ({healthy})"
        if pods
        else "no pods with problems were found"
    )
    healthy_answer = Diagnosis(
        summary=f"No fault found for {what}",
        root_cause=f"No fault found: {what} looks healthy; {detail}.",
        explanation=(
            "None of the runbooks' findings holds over the evidence gathered (listed under "
            "checked); the reported problem is not visible in the cluster's objects, events, "
            "metrics or flows at this time." + _not_configured(unavailable)
        ),
        evidence=[Claim(claim=f"{what}: {detail}", evidence_ids=pods_ids or listing_ids)],
        confidence="none",
        fault_found=False,
        sources_unavailable=unavailable,
    )
    if failed:
        return unverified(healthy_answer, what, detail)
    return healthy_answer


def _not_configured(unavailable: list[SourceUnavailable]) -> str:
    """A sentence naming the sources left out because no endpoint is set, if any were asked."""
    skipped = [s for s in unavailable if s.fault == "not_configured"]
    if not skipped:
        return ""
    named = "; ".join(
        f"{s.source} ({len(s.unchecked)} runbook(s) read it)" if s.unchecked else s.source
        for s in skipped
    )
    return f" Not consulted, as no endpoint is configured for it: {named}."


def _blind(triaged: Triage, unavailable: list[SourceUnavailable]) -> Diagnosis:
    """Kubernetes could not be read at all: nothing was checked, so nothing is concluded."""
    errors = [s.reason for s in unavailable if s.source == "kubernetes"]
    errors += [r["error"] for r in triaged.listing if r["error"]]
    reason = errors[0] if errors else "no answer"
    return Diagnosis(
        summary="Could not investigate: the Kubernetes API could not be read",
        root_cause=f"Not determined: the Kubernetes API could not be read ({reason}).",
        explanation=(
            "Without the cluster's objects holmes cannot resolve what the question is about, "
            "so it draws no conclusion. Check the kubeconfig, context or in-cluster service "
            "account and its RBAC (holmes needs get/list/watch on the objects it reads)."
        ),
        evidence=[Claim(claim=f"Kubernetes unavailable: {reason}", evidence_ids=[])],
        confidence="none",
        fault_found=False,
    )


def _partly_listed(diagnosis: Diagnosis, unavailable: list[SourceUnavailable]) -> None:
    """ "Not found" only holds if Kubernetes listed everything: when some of its answers failed,
    the object may be among what could not be read, and the answer says so."""
    failed = [s for s in degraded(unavailable) if s.source == "kubernetes"]
    if not failed:
        return
    diagnosis.summary += " in what the Kubernetes API could list"
    diagnosis.root_cause = (
        f"Not determined: {diagnosis.root_cause.split(';')[0]} in what the Kubernetes API "
        "answered, but not all of it answered. " + " ".join(could_not_check(failed))
    )
    diagnosis.confidence = "low"
    diagnosis.unverified = True


def _what(subject: dict) -> str:
    named = [f"{w['kind']} {w['namespace']}/{w['name']}" for w in subject["workloads"]]
    named += [f"Service {s['namespace']}/{s['name']}" for s in subject["services"]]
    named += [f"{o['kind']} {o['namespace']}/{o['name']}" for o in subject.get("objects", [])]
    if not named:
        named = [f"pod {p['namespace']}/{p['name']}" for p in subject.get("named_pods", [])]
    gpu = subject.get("gpu")
    if gpu is not None and subject.get("nodes"):
        named.append(f"GPU {gpu} on {subject['nodes'][0]}")
    elif subject.get("nodes") and not named:
        named.append(f"node {subject['nodes'][0]}")
    if named:
        return ", ".join(named[:3])
    if subject["namespace"]:
        return f"namespace {subject['namespace']}"
    return "the cluster"


def _missing(subject: dict, listing_ids: list[str]) -> Diagnosis:
    namespace = subject["namespace"]
    names = [m for m in subject["missing"] if not m.startswith("namespace ")]
    no_namespace = f"namespace {namespace}" in subject["missing"]
    what = ", ".join(names) or f"namespace {namespace}"
    if no_namespace:
        where = f"namespace {namespace} does not exist"
        root_cause = f"{what} cannot be diagnosed: {where}" if names else f"{where.capitalize()}"
    else:
        where = f"in namespace {namespace}" if namespace else "in the cluster"
        root_cause = f"{what} does not exist {where}"
    elsewhere = [n for n in subject["notes"] if "exist elsewhere" in n or "look like it" in n]
    explanation = (
        f"No object named {what} was found {'(' + where + ')' if no_namespace else where}, "
        "so there is nothing by that name to diagnose: it may have been deleted or renamed, or "
        "it runs in another namespace or cluster."
    )
    if elsewhere:
        explanation += " Similar names: " + "; ".join(elsewhere) + "."
    return Diagnosis(
        summary=f"{what} not found",
        root_cause=root_cause + "; there is nothing by that name to diagnose.",
        explanation=explanation,
        evidence=[Claim(claim=f"{what}: no such object ({where})", evidence_ids=listing_ids)],
        confidence="none",
        fault_found=False,
    )
