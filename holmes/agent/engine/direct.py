"""Answering a direct question from the tools: the logs of X, the errors in them, the pods of
Y that are not ready, what changed in Y. No runbook is judged; the answer says what was asked.

Called by the engine when `questions.direct_question` recognises the question (and the
subject exists: a name that does not is still answered "not found" by `abstain`). The answer
is a `Diagnosis` with `answer_kind` set: its root cause is the answer in one paragraph, each
claim quotes what a tool returned with its evidence id, so the CLI, the API and Slack render
it as they render a diagnosis, and an LLM starts from the same evidence.
"""

from __future__ import annotations

import asyncio
import re

from holmes.agent.engine.diagnosis import Claim, Diagnosis
from holmes.agent.engine.direct_pods import changes_answer, not_ready_answer, subject_text
from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.names import Named
from holmes.agent.engine.questions import DirectQuestion
from holmes.agent.engine.rules.log_lines import clean_line, error_lines
from holmes.agent.engine.triage import Triage
from holmes.tools import ToolResult

MAX_PODS_READ = 3
MAX_CONTAINERS_READ = 4
_QUOTED_LINES = 5
_TAIL_LINES = 5
_STAMPED = re.compile(r"^\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


async def answer_directly(
    asked: DirectQuestion, triaged: Triage, gatherer: Gatherer
) -> Diagnosis | None:
    """The direct answer, or None when the subject is missing (abstain answers that)."""
    if triaged.subject["scope"] == "missing":
        return None
    if asked.kind in ("logs", "log_errors"):
        return await logs_answer(asked, triaged, gatherer)
    if asked.kind == "not_ready":
        return await not_ready_answer(triaged, gatherer)
    return await changes_answer(asked, triaged, gatherer)


def _pods_to_read(triaged: Triage) -> list[Named]:
    """The subject's pods whose logs to read: named ones, then the unhealthy, at most three."""
    subject = triaged.subject
    named = [Named("Pod", p["namespace"], p["name"]) for p in subject.get("named_pods", [])]
    rows = [Named("Pod", p["namespace"], p["name"]) for p in subject["pods"]]
    return list(dict.fromkeys([*named, *rows]))[:MAX_PODS_READ]


def _containers(triaged: Triage, pod: Named) -> list[str | None]:
    """The app containers of a pod: each by name (the log tool needs one when there are
    several), or [None] when the listing did not say."""
    facts = triaged.pod_facts.get(pod)
    names = [c.name for c in facts.containers if not c.init] if facts else []
    return list(names[:MAX_CONTAINERS_READ]) or [None]


async def logs_answer(asked: DirectQuestion, triaged: Triage, gatherer: Gatherer) -> Diagnosis:
    """The decisive lines (and, for "show the logs", the last ones) of every container read."""
    pods = _pods_to_read(triaged)
    what = subject_text(triaged.subject)
    since = _since(asked)
    calls = [(pod, container) for pod in pods for container in _containers(triaged, pod)]
    results = await asyncio.gather(
        *(
            gatherer.call(
                "kubernetes_logs",
                {
                    "namespace": pod.namespace,
                    "name": pod.name,
                    **({"container": container} if container else {}),
                    **({"since": since} if since else {}),
                },
            )
            for pod, container in calls
        )
    )
    errors_only = asked.kind == "log_errors"
    claims, with_errors = [], []
    for (pod, container), result in zip(calls, results, strict=True):
        errors = _distinct(error_lines(result.text, 4 * _QUOTED_LINES))[:_QUOTED_LINES]
        errors = errors if result.ok else []
        claims.append(_log_claim(pod, container, result, errors, errors_only))
        if errors:
            with_errors.append(claims[-1])
    read = [r for r in results if r.ok]
    if not calls:
        body = f"{what} has no pods, so there are no logs to read."
    elif errors_only:
        body = (
            f"{len(with_errors)} of {len(calls)} container log(s) of {what} hold error or "
            "warning lines: " + " ".join(c.claim for c in with_errors)
            if with_errors
            else f"No error, exception or warning lines in the {len(read)} container log(s) "
            f"of {what} that were read."
        )
    else:
        body = f"Logs of {what}, {len(read)} container log(s) read: " + " ".join(
            c.claim for c in claims
        )
    title = "Errors in the logs of" if errors_only else "Logs of"
    return Diagnosis(
        summary=f"{title} {what}",
        root_cause=body,
        explanation=_failed_text(calls, results),
        evidence=claims,
        confidence="high" if read and len(read) == len(results) else "low",
        fault_found=bool(with_errors),
        answer_kind=asked.kind,
    )


def _since(asked: DirectQuestion) -> str | None:
    if asked.window is None:
        return None
    return f"{max(1, int(asked.window.total_seconds() // 60))}m"


def _log_claim(
    pod: Named, container: str | None, result: ToolResult, errors: list[str], errors_only: bool
) -> Claim:
    """One container's log in a sentence: its error lines, else (showing logs) its last lines."""
    where = f"{pod.namespace}/{pod.name}" + (f" container {container}" if container else "")
    if not result.ok:
        reason = result.error.message if result.error else "no answer"
        return Claim(claim=f"{where}: log not read ({reason}).", evidence_ids=[result.evidence_id])
    if errors:
        quoted = " | ".join(f'"{line}"' for line in errors)
        return Claim(claim=f"{where}: {quoted}.", evidence_ids=[result.evidence_id])
    if errors_only:
        return Claim(claim=f"{where}: no error lines.", evidence_ids=[result.evidence_id])
    tail = _last_lines(result.text)
    shown = " | ".join(f'"{line}"' for line in tail) if tail else "(empty)"
    return Claim(claim=f"{where}: last lines {shown}.", evidence_ids=[result.evidence_id])


def _last_lines(text: str) -> list[str]:
    """The log's last lines as the log tool shows them (each carries the kubelet's timestamp,
    which the tool asks for), without the tool's own headings and summaries."""
    lines = [clean_line(line) for line in text.splitlines()]
    return [line for line in lines if _STAMPED.match(line)][-_TAIL_LINES:]


def _distinct(lines: list[str]) -> list[str]:
    """Lines that differ in more than their numbers and times: a retry logged every minute
    is quoted once."""
    seen: set[str] = set()
    kept = []
    for line in lines:
        shape = re.sub(r"\d+", "#", line)
        if shape not in seen:
            seen.add(shape)
            kept.append(line)
    return kept


def _failed_text(calls: list[tuple[Named, str | None]], results: list[ToolResult]) -> str:
    failed = [
        f"{pod.name}{'/' + container if container else ''}: {result.error.message}"
        for (pod, container), result in zip(calls, results, strict=True)
        if not result.ok and result.error
    ]
    return ("Not read: " + "; ".join(failed) + ".") if failed else ""
