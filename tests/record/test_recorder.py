"""What the recorder keeps of the source responses it is told about."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from holmes.tools import SourceEndpoints, ToolContext
from holmes.tools.hubble.proto.flow import flow_pb2
from holmes.tools.hubble.proto.observer import observer_pb2
from holmes.tools.recorder import LogRead, SourceRecorder
from holmes.tools.recording import complete_recording

NOW = datetime(2026, 3, 18, 14, 32, tzinfo=UTC)


def _event(api_version: str, name: str) -> dict:
    return {
        "apiVersion": api_version,
        "kind": "Event",
        "metadata": {"name": name, "namespace": "ml"},
    }


def test_typed_list_items_get_their_kind_and_discovery_documents_are_skipped() -> None:
    recorder = SourceRecorder()
    recorder.kubernetes_document(
        {
            "apiVersion": "v1",
            "kind": "PodList",
            "metadata": {"resourceVersion": "7"},
            "items": [{"metadata": {"name": "trainer-0", "namespace": "ml"}, "spec": {}}],
        }
    )
    recorder.kubernetes_document({"kind": "APIResourceList", "groupVersion": "v1", "resources": []})
    recorder.kubernetes_document(
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "code": 404}
    )
    assert list(recorder.objects) == [("v1", "Pod", "ml", "trainer-0")]
    assert recorder.objects[("v1", "Pod", "ml", "trainer-0")]["kind"] == "Pod"


def test_the_latest_read_of_an_object_wins() -> None:
    recorder = SourceRecorder()
    for phase in ("Pending", "Running"):
        recorder.kubernetes_document(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p"},
                "status": {"phase": phase},
            }
        )
    assert [o["status"]["phase"] for o in recorder.objects.values()] == ["Running"]


def test_log_requests_name_the_container_instance() -> None:
    recorder = SourceRecorder()
    path = "/api/v1/namespaces/ml/pods/trainer-0/log"
    recorder.kubernetes_log(
        path, [("container", "trainer"), ("previous", "true"), ("tailLines", "50")]
    )
    recorder.kubernetes_log(path, [("container", "trainer"), ("tailLines", "500")])
    recorder.kubernetes_log("/api/v1/namespaces/ml/pods/trainer-0", [])  # not a log
    assert list(recorder.logs) == [
        LogRead("ml", "trainer-0", "trainer", previous=True),
        LogRead("ml", "trainer-0", "trainer", previous=False),
    ]


def test_flows_are_kept_as_hubble_observe_prints_them_once_each() -> None:
    recorder = SourceRecorder()
    flow = flow_pb2.Flow(verdict=flow_pb2.DROPPED, drop_reason_desc=flow_pb2.POLICY_DENIED)
    flow.time.FromDatetime(NOW)
    response = observer_pb2.GetFlowsResponse(flow=flow, node_name="gpu-node-1")
    recorder.hubble_responses([response, response, observer_pb2.GetFlowsResponse()])
    [recorded] = recorder.flows.values()
    assert recorded["flow"]["verdict"] == "DROPPED"
    assert recorded["flow"]["drop_reason_desc"] == "POLICY_DENIED"
    assert recorded["node_name"] == "gpu-node-1"


def test_an_event_read_through_both_apis_is_recorded_once() -> None:
    recorder = SourceRecorder()
    recorder.kubernetes_document(_event("v1", "a"))
    recorder.kubernetes_document(_event("events.k8s.io/v1", "a"))
    recorder.kubernetes_document(_event("events.k8s.io/v1", "b"))
    ctx = ToolContext(SourceEndpoints(), now=NOW)
    recording = asyncio.run(complete_recording(recorder, ctx, time=NOW, since=timedelta(hours=1)))
    kept = sorted((o["apiVersion"], o["metadata"]["name"]) for o in recording.objects)
    assert kept == [("events.k8s.io/v1", "b"), ("v1", "a")]
    assert recording.sources == [] and recording.notes == []


def test_what_a_source_cannot_give_becomes_a_note_naming_it() -> None:
    from holmes.evals import load_bundle
    from holmes.evals.replay import replay
    from holmes.evals.runner import context_for
    from tests.conftest import INCIDENTS

    bundle = load_bundle(INCIDENTS / "oom-killed-embedding-worker")
    recorder = SourceRecorder()
    recorder.kubernetes_log("/api/v1/namespaces/search/pods/gone-0/log", [("container", "w")])
    recorder.kubernetes_log("/api/v1/namespaces/search/pods/gone-0/log", [("previous", "true")])
    recorder.prometheus_query("rate(x[5m])", NOW, NOW)
    with replay(bundle) as endpoints:
        ctx = context_for(endpoints)
        ctx.endpoints.prometheus_url = "http://127.0.0.1:1"  # nothing listens there

        async def run():
            try:
                return await complete_recording(recorder, ctx, time=NOW, since=timedelta(hours=1))
            finally:
                await ctx.aclose()

        recording = asyncio.run(run())
    assert recording.logs == [] and recording.series == []
    [log_note, series_note] = sorted(recording.notes)
    assert log_note.startswith("kubernetes: log of search/gone-0 not recorded:")
    assert "gone-0" in log_note and "not found" in log_note.lower()
    assert series_note.startswith("prometheus: series of x not recorded:")
    assert "127.0.0.1:1" in series_note
    assert recording.sources == ["kubernetes", "prometheus"]


def test_a_source_that_failed_is_recorded_as_unavailable_and_replays_so(tmp_path) -> None:
    from holmes.agent.engine.runbook_engine import RunbookEngine
    from holmes.evals import load_bundle
    from holmes.evals.record import record_investigation
    from holmes.evals.replay import replay
    from holmes.evals.runner import context_for, request_for
    from tests.conftest import INCIDENTS

    engine = RunbookEngine()
    bundle = load_bundle(INCIDENTS / "gpu-xid-79-node-3")

    async def investigate(ctx, record_to=None):
        try:
            if record_to is None:
                return await engine.diagnose(request_for(bundle), ctx)
            outcome = await record_investigation(
                engine, request_for(bundle), ctx, record_to, since=timedelta(hours=1)
            )
            return outcome
        finally:
            await ctx.aclose()

    with replay(bundle) as endpoints:
        ctx = context_for(endpoints)
        ctx.endpoints.prometheus_url = "http://127.0.0.1:1"  # Prometheus down while recording
        outcome = asyncio.run(investigate(ctx, tmp_path / "xid-no-prometheus"))
    unavailable = {s.source for s in outcome.diagnosis.sources_unavailable}
    assert "prometheus" in unavailable
    assert any(
        n.startswith("prometheus: unavailable during the investigation") for n in outcome.notes
    )
    recorded = load_bundle(tmp_path / "xid-no-prometheus")
    assert recorded.incident.sources == ["kubernetes"]
    with replay(recorded) as endpoints:
        replayed = asyncio.run(investigate(context_for(endpoints)))
    assert {s.source for s in replayed.sources_unavailable} == unavailable
    assert replayed.runbook_id == outcome.diagnosis.runbook_id
