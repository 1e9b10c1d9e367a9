"""The eval runner: replay each recorded incident, investigate it, score the answer.

`run_suite` takes a suite folder (incident folders inside) or one incident folder, runs up to
`workers` incidents at once (each in its own thread with its own replay servers and event
loop: Prometheus start-up dominates, and overlaps well), and returns one `IncidentResult` per
incident, in the suite's order. The investigation sees the incident's question and alert only;
`expected` is read here, for scoring, after the answer is in. A bundle that cannot be loaded
or replayed is a failed result naming the problem, never a crash of the whole suite.

An incident holding a whole webhook body (`alert_body`) is investigated alert by alert, as
`holmes ask --alert` does (each alert its own request, in the same replay); each answer is
scored against that alert's expectation (`expected_alerts`), and the incident passes only when
every alert's answer passes. `IncidentResult.alerts` says which alert failed.

Called by `holmes eval` and `bench/eval_suite.py`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel, Field

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.intake import InvestigationRequest, as_resolved
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.evals.bundle import Bundle, Expected, load_bundle
from holmes.evals.errors import BundleError
from holmes.evals.interrupts import RunningInvestigations
from holmes.evals.replay import ReplayEndpoints, replay
from holmes.evals.scoring import score
from holmes.tools import SourceEndpoints, ToolContext

Investigator = Callable[[InvestigationRequest, ToolContext], Awaitable[Diagnosis]]
# A judge sees the answer and `expected` (scoring, never the investigation) -> (pass, reason).
Judge = Callable[[Diagnosis, Expected], Awaitable[tuple[bool, str]]]


class AlertResult(BaseModel):
    """The outcome for one alert of an incident's webhook body."""

    index: int  # in the body's `alerts`
    alertname: str
    fingerprint: str | None = None
    status: str = "firing"
    passed: bool
    missing: list[str] = Field(default_factory=list)
    runbook: str | None = None
    expected_runbook: str | None = None
    judge: str | None = None
    diagnosis: Diagnosis | None = None

    @property
    def label(self) -> str:
        """How a report names the alert: `alerts[1] KubePodCrashLooping (3f2a...)`."""
        fingerprint = f" ({self.fingerprint})" if self.fingerprint else ""
        return f"alerts[{self.index}] {self.alertname or '(unnamed)'}{fingerprint}"


class IncidentResult(BaseModel):
    """One incident's outcome."""

    incident: str
    passed: bool
    missing: list[str] = Field(default_factory=list)
    runbook: str | None = None
    expected_runbook: str | None = None
    investigation_seconds: float = 0.0
    replay_seconds: float = 0.0
    tool_calls: int = 0
    llm_calls: int = 0
    tokens: int = 0
    estimated_usd: float | None = None
    judge: str | None = None
    error: str | None = None
    unfilled: bool = False  # its `expected` checks nothing yet (a fresh `holmes record`)
    diagnosis: Diagnosis | None = None  # with a webhook body: the first failing alert's answer
    alerts: list[AlertResult] = Field(default_factory=list)  # per alert of a webhook body


def incident_folders(suite: Path) -> list[Path]:
    """The incident folders of a suite, or the one incident `suite` is."""
    if (suite / "incident.yaml").is_file():
        return [suite]
    if not suite.is_dir():
        raise BundleError(suite, "no such suite folder (a folder of incident folders)")
    folders = sorted(p for p in suite.iterdir() if (p / "incident.yaml").is_file())
    if not folders:
        raise BundleError(suite, "no incident folders (folders with an incident.yaml) inside")
    return folders


def request_for(bundle: Bundle) -> InvestigationRequest:
    """What the investigation is told: the question and the alert, nothing of `expected`
    (the first alert of a webhook body; `requests_for` gives one request per alert)."""
    return requests_for(bundle)[0]


def requests_for(bundle: Bundle) -> list[InvestigationRequest]:
    """One request per alert of the incident (each with the question), else the question."""
    question = bundle.incident.question
    alerts = bundle.incident.alerts
    if not alerts:
        return [InvestigationRequest(question=question)]
    return [InvestigationRequest(question=question, alert=alert) for alert in alerts]


def context_for(endpoints: ReplayEndpoints) -> ToolContext:
    """A tool context on a replay's endpoints, with the incident's clock."""
    sources = SourceEndpoints(
        kubeconfig=endpoints.kubeconfig,
        prometheus_url=endpoints.prometheus_url,
        hubble_address=endpoints.hubble_address,
    )
    return ToolContext(sources, now=endpoints.time)


def run_incident(
    folder: Path,
    investigate: Investigator,
    judge: Judge | None = None,
    running: RunningInvestigations | None = None,
) -> IncidentResult:
    """Replay, investigate and score one incident (and have the judge rule, if given).

    With `running`, the investigation and the judge can be cancelled from another thread.
    """
    running = running or RunningInvestigations()
    try:
        bundle = load_bundle(folder)
    except BundleError as error:
        return IncidentResult(incident=folder.name, passed=False, error=str(error))
    except Exception as error:  # a loader bug on one bundle must not abort the suite
        return IncidentResult(
            incident=folder.name, passed=False, error=f"{folder}: {type(error).__name__}: {error}"
        )
    requests = requests_for(bundle)
    expectations = [bundle.expected_for(index) for index in range(len(requests))]
    unfilled = [index for index, expected in enumerate(expectations) if expected.unfilled]
    if unfilled:
        which = "'expected'"
        if bundle.incident.alert_body is not None:
            which = " and ".join(f"alert_body.alerts[{i}]'s expectation" for i in unfilled)
        return IncidentResult(
            incident=bundle.id,
            passed=False,
            unfilled=True,
            error=f"{folder / 'incident.yaml'}: {which} is not filled in; give at least one "
            "must_mention, remediation_must_mention or runbook",
        )
    started = time.perf_counter()
    try:
        with replay(bundle) as endpoints:
            replay_seconds = time.perf_counter() - started
            answers = [
                running.run(_investigate(investigate, request, endpoints)) for request in requests
            ]
            rulings = [
                running.run(judge(diagnosis, expected)) if judge else None
                for (diagnosis, _), expected in zip(answers, expectations, strict=True)
            ]
    except Exception as error:  # a replay that cannot start fails this incident only
        return IncidentResult(
            incident=bundle.id,
            passed=False,
            expected_runbook=expectations[0].runbook,
            error=f"{type(error).__name__}: {error}",
        )
    scored = [
        _scored(index, request, diagnosis, expected, ruling)
        for index, (request, (diagnosis, _), expected, ruling) in enumerate(
            zip(requests, answers, expectations, rulings, strict=True)
        )
    ]
    result = _combined(bundle.id, scored, single=bundle.incident.alert_body is None)
    result.investigation_seconds = round(sum(seconds for _, seconds in answers), 3)
    result.replay_seconds = round(replay_seconds, 3)
    return result


def _scored(
    index: int,
    request: InvestigationRequest,
    diagnosis: Diagnosis,
    expected: Expected,
    ruling: tuple[bool, str] | None,
) -> AlertResult:
    """One answer scored against its expectation (and the judge's ruling, if any)."""
    verdict = score(diagnosis, expected)
    unsupported = _unsupported(diagnosis)
    missing = list(verdict.missing) + unsupported
    if ruling is not None and not ruling[0]:
        missing.append(f"judge: {ruling[1]}")
    alert = request.alert
    return AlertResult(
        index=index,
        alertname=alert.name if alert else "",
        fingerprint=alert.fingerprint if alert else None,
        status=alert.status if alert else "firing",
        passed=verdict.passed and not unsupported and (ruling is None or ruling[0]),
        missing=missing,
        runbook=diagnosis.runbook_id,
        expected_runbook=expected.runbook,
        judge=None if ruling is None else ("pass" if ruling[0] else "fail") + f": {ruling[1]}",
        diagnosis=diagnosis,
    )


def _combined(incident: str, scored: list[AlertResult], *, single: bool) -> IncidentResult:
    """The incident's result: passed when every alert's answer passed; what each missed,
    named by its alert when the incident holds a webhook body."""
    diagnoses = [a.diagnosis for a in scored if a.diagnosis is not None]
    failing = next((a for a in scored if not a.passed), scored[0])
    missing = [item if single else f"{a.label}: {item}" for a in scored for item in a.missing]
    judged = [a.judge for a in scored if a.judge is not None]
    costs = [d.cost.estimated_usd for d in diagnoses if d.cost.estimated_usd is not None]
    return IncidentResult(
        incident=incident,
        passed=all(a.passed for a in scored),
        missing=missing,
        runbook=", ".join(a.runbook or "-" for a in scored) if not single else scored[0].runbook,
        expected_runbook=_runbooks([a.expected_runbook for a in scored], single),
        tool_calls=sum(d.cost.tool_calls for d in diagnoses),
        llm_calls=sum(d.cost.llm_calls for d in diagnoses),
        tokens=sum(d.cost.prompt_tokens + d.cost.completion_tokens for d in diagnoses),
        estimated_usd=sum(costs) if costs else None,
        judge="; ".join(judged) if judged else None,
        diagnosis=failing.diagnosis,
        alerts=[] if single else scored,
    )


def _runbooks(expected: list[str | None], single: bool) -> str | None:
    if single:
        return expected[0]
    return ", ".join(e or "-" for e in expected) if any(expected) else None


def _unsupported(diagnosis: Diagnosis) -> list[str]:
    """Claims citing evidence ids that the investigation never produced: an answer that cites
    what it did not see fails, whatever its text says."""
    produced = set(diagnosis.checked_calls())
    cited = {i for claim in diagnosis.evidence for i in claim.evidence_ids}
    unknown = sorted(cited - produced)
    return [f"cites evidence it did not gather: {', '.join(unknown)}"] if unknown else []


async def _investigate(
    investigate: Investigator, request: InvestigationRequest, endpoints: ReplayEndpoints
) -> tuple[Diagnosis, float]:
    ctx = context_for(endpoints)
    try:
        started = time.perf_counter()
        diagnosis = await investigate(request, ctx)
        if request.alert is not None and request.alert.resolved:
            diagnosis = as_resolved(diagnosis, request.alert)  # as `holmes ask --alert` answers
        return diagnosis, time.perf_counter() - started
    finally:
        await ctx.aclose()


def run_suite(
    suite: Path,
    engine: RunbookEngine | None = None,
    *,
    workers: int = 4,
    investigator: Callable[[], Investigator] | None = None,
    judge: Judge | None = None,
    on_result: Callable[[IncidentResult], None] | None = None,
) -> list[IncidentResult]:
    """Run every incident of `suite`, `workers` at a time; results in the suite's order.

    `investigator` makes the investigating function for one incident (the LLM agent's, with a
    client of its own so that costs are per incident); by default the runbook engine answers.
    """
    engine = engine or RunbookEngine()
    folders = incident_folders(suite)
    make = investigator or (lambda: engine.diagnose)
    running = RunningInvestigations()

    def one(folder: Path) -> IncidentResult:
        result = run_incident(folder, make(), judge, running)
        if on_result:
            on_result(result)
        return result

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = [pool.submit(one, folder) for folder in folders]
        return [future.result() for future in futures]
    except BaseException:
        # Ctrl-C or SIGTERM: the running investigations are cancelled and the incidents not
        # yet started dropped; each replay still stops, so no server or folder is left behind.
        running.cancel()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
