"""The Prometheus replay against a real prometheus and promtool (Debian's package), no mocks.

Bundles are written into tmp_path in the incident format and loaded with `load_bundle`; the
server is queried over its HTTP API with httpx, as the Prometheus toolset would query it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from holmes.evals.bundle import Bundle, load_bundle
from holmes.evals.replay.prometheus import (
    PrometheusNotInstalled,
    PrometheusReplay,
    PrometheusReplayError,
    render_openmetrics,
)
from holmes.evals.replay.prometheus_blocks import default_cache_dir
from holmes.evals.series import Series

needs_prometheus = pytest.mark.skipif(
    shutil.which("prometheus") is None or shutil.which("promtool") is None,
    reason="needs Debian's prometheus package (apt-get install prometheus)",
)

INCIDENTS = Path(__file__).resolve().parents[2] / "evals" / "incidents"
T = datetime(2026, 3, 18, 14, 32, tzinfo=UTC)
NOW = T.timestamp()

SERIES_YAML = r"""
interval: 30s
series:
  - series: 'gpu_temp{Hostname="gpu-node-1",gpu="0"}'
    values: '50+1x10'
  - series: 'gpu_util{gpu="0"}'
    values: '1 2 _ _ 5 _x3 9'
  - series: 'fb_free{gpu="0"}'
    values: '10-2x3'
  - series: 'escaped{path="C:\\dir \"x\""}'
    values: '7x2'
"""

OPENMETRICS = f"""\
# HELP restarts Container restarts.
# TYPE restarts counter
restarts{{namespace="ml",pod="trainer-0"}} 3 {NOW - 60:.0f}
restarts{{namespace="ml",pod="trainer-0"}} 7 {NOW:.0f}
# TYPE node_load gauge
node_load{{node="gpu-node-1"}} 0.5 {NOW - 90:.0f}
node_load{{node="gpu-node-1"}} 1.25 {NOW - 30:.0f}
# EOF
"""


def write_bundle(
    root: Path,
    incident_id: str,
    *,
    time: str = "2026-03-18T14:32:00Z",
    series_yaml: str | None = None,
    openmetrics: str | None = None,
) -> Bundle:
    """Write a minimal prometheus-only bundle folder and load it."""
    folder = root / incident_id
    (folder / "prometheus").mkdir(parents=True)
    (folder / "incident.yaml").write_text(
        textwrap.dedent(f"""\
            id: {incident_id}
            time: "{time}"
            question: "What happened?"
            sources: [prometheus]
        """),
        encoding="utf-8",
    )
    if series_yaml is not None:
        (folder / "prometheus" / "series.yaml").write_text(series_yaml, encoding="utf-8")
    if openmetrics is not None:
        (folder / "prometheus" / "recorded.om").write_text(openmetrics, encoding="utf-8")
    return load_bundle(folder)


def api(url: str, endpoint: str, **params: Any) -> Any:
    """GET an /api/v1 endpoint and return its `data`, failing on any error envelope."""
    with httpx.Client(trust_env=False, timeout=10) as client:
        response = client.get(f"{url}/api/v1/{endpoint}", params=params)
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", body
    return body["data"]


def values_of(url: str, query: str, *, start: float, end: float, step: int) -> dict[str, Any]:
    """query_range; map each result series (one label, or the name) to its [[t, v], ...]."""
    data = api(url, "query_range", query=query, start=start, end=end, step=step)
    assert data["resultType"] == "matrix"
    return {_key(item["metric"]): item["values"] for item in data["result"]}


def _key(metric: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(metric.items()))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One block cache for the module, so repeated bundles skip promtool."""
    return tmp_path_factory.mktemp("tsdb-cache")


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path):
    """One server for the series.yaml and .om bundle shared by the read-only tests."""
    bundle = write_bundle(
        tmp_path_factory.mktemp("bundles"),
        "mixed",
        series_yaml=SERIES_YAML,
        openmetrics=OPENMETRICS,
    )
    with PrometheusReplay(bundle, cache_dir=cache_dir) as running:
        yield running


@needs_prometheus
def test_series_yaml_values_land_at_the_recorded_timestamps(replay: PrometheusReplay) -> None:
    result = values_of(replay.url, "gpu_temp", start=NOW - 300, end=NOW, step=30)

    # '50+1x10': 11 samples counting up, 30 s apart, the last exactly at the incident's time.
    assert result == {
        "Hostname=gpu-node-1,__name__=gpu_temp,gpu=0": [
            [NOW - 300 + 30 * i, str(50 + i)] for i in range(11)
        ]
    }
    countdown = values_of(replay.url, "fb_free", start=NOW - 90, end=NOW, step=30)
    assert countdown["__name__=fb_free,gpu=0"] == [
        [NOW - 90, "10"], [NOW - 60, "8"], [NOW - 30, "6"], [NOW, "4"]
    ]  # fmt: skip


@needs_prometheus
def test_missing_samples_are_absent(replay: PrometheusReplay) -> None:
    # A range selector returns the raw samples: '1 2 _ _ 5 _x3 9' has 5 of its 9 slots empty.
    data = api(replay.url, "query", query="gpu_util[10m]", time=NOW)

    assert data["resultType"] == "matrix"
    assert data["result"][0]["values"] == [
        [NOW - 240, "1"], [NOW - 210, "2"], [NOW - 120, "5"], [NOW, "9"]
    ]  # fmt: skip


@needs_prometheus
def test_escaped_label_values_survive(replay: PrometheusReplay) -> None:
    data = api(replay.url, "query", query="escaped", time=NOW)

    assert [item["metric"]["path"] for item in data["result"]] == ['C:\\dir "x"']
    assert data["result"][0]["value"] == [NOW, "7"]


@needs_prometheus
def test_openmetrics_file_is_served_and_a_counter_needs_no_total_suffix(
    replay: PrometheusReplay,
) -> None:
    restarts = values_of(replay.url, "restarts", start=NOW - 60, end=NOW, step=60)
    load = values_of(replay.url, "node_load", start=NOW - 90, end=NOW - 30, step=60)

    assert restarts == {
        "__name__=restarts,namespace=ml,pod=trainer-0": [[NOW - 60, "3"], [NOW, "7"]]
    }
    assert load == {"__name__=node_load,node=gpu-node-1": [[NOW - 90, "0.5"], [NOW - 30, "1.25"]]}
    assert api(replay.url, "query", query="increase(restarts[2m])", time=NOW)["result"]


@needs_prometheus
def test_instant_query_uses_the_live_five_minute_lookback(replay: PrometheusReplay) -> None:
    def instant(at: float) -> list[Any]:
        return api(replay.url, "query", query="gpu_temp", time=at)["result"]

    assert [item["value"] for item in instant(NOW)] == [[NOW, "60"]]
    assert [item["value"] for item in instant(NOW + 240)] == [[NOW + 240, "60"]]
    assert instant(NOW + 600) == []


@needs_prometheus
def test_an_old_incident_spanning_weeks_is_not_cut_by_retention(
    tmp_path: Path, cache_dir: Path
) -> None:
    # Prometheus deletes blocks older than the retention, counted back from the newest block:
    # with the default 15 days, the first sample (20 days before the incident) would be gone.
    bundle = write_bundle(
        tmp_path, "old", time="2024-02-01T08:00:00Z", series_yaml="interval: 10d\nseries:\n"
        "  - series: 'kube_node_status_condition{node=\"n1\",condition=\"Ready\"}'\n"
        "    values: '1 1 0'\n",
    )  # fmt: skip
    end = datetime(2024, 2, 1, 8, tzinfo=UTC).timestamp()
    days = 86400

    with PrometheusReplay(bundle, cache_dir=cache_dir) as replay:
        data = api(replay.url, "query", query="kube_node_status_condition[21d]", time=end)

    assert [item["values"] for item in data["result"]] == [
        [[end - 20 * days, "1"], [end - 10 * days, "1"], [end, "0"]]
    ]


@needs_prometheus
def test_a_bundle_without_series_still_gets_a_running_empty_server(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path, "empty")

    with PrometheusReplay(bundle, cache_dir=tmp_path / "cache") as replay:
        names = api(replay.url, "label/__name__/values")
        assert replay.timings is not None and replay.timings.cache_hit is None

    assert names == []
    assert not (tmp_path / "cache").exists()  # nothing was backfilled, so nothing cached


@needs_prometheus
def test_stop_ends_the_process_removes_its_files_and_is_idempotent(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path, "stopping", openmetrics=OPENMETRICS)
    workdir = tmp_path / "work"
    replay = PrometheusReplay(bundle, workdir=workdir, cache_dir=tmp_path / "cache")
    replay.start()
    pid, url = replay.pid, replay.url
    assert pid is not None and len(list(workdir.iterdir())) == 1

    replay.stop()
    replay.stop()

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/-/ready", trust_env=False, timeout=1)
    with pytest.raises(PrometheusReplayError, match="not running"):
        _ = replay.url
    assert list(workdir.iterdir()) == []


@needs_prometheus
def test_backfilled_blocks_are_cached_and_reused(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path, "cached", series_yaml=SERIES_YAML)
    answers, hits = [], []

    for _ in range(2):
        with PrometheusReplay(bundle, cache_dir=tmp_path / "cache") as replay:
            answers.append(values_of(replay.url, "gpu_temp", start=NOW - 300, end=NOW, step=30))
            assert replay.timings is not None
            hits.append(replay.timings.cache_hit)

    assert hits == [False, True]
    assert answers[0] == answers[1] and answers[0]
    assert len([entry for entry in (tmp_path / "cache").iterdir()]) == 1


@needs_prometheus
def test_an_unusable_cache_dir_only_costs_the_backfill(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path, "nocache", openmetrics=OPENMETRICS)
    not_a_dir = tmp_path / "cache-is-a-file"
    not_a_dir.write_text("")

    with PrometheusReplay(bundle, cache_dir=not_a_dir) as replay:
        result = api(replay.url, "query", query="restarts", time=NOW)["result"]
        assert replay.timings is not None and replay.timings.cache_hit is False

    assert [item["value"] for item in result] == [[NOW, "7"]]


@needs_prometheus
def test_a_prometheus_that_dies_at_startup_is_reported_with_its_own_words(tmp_path: Path) -> None:
    # The real binary, given a flag it refuses: it exits before it ever listens.
    wrapper = tmp_path / "prometheus"
    wrapper.write_text(f'#!/bin/sh\nexec {shutil.which("prometheus")} --no-such-flag "$@"\n')
    wrapper.chmod(0o755)
    bundle = write_bundle(tmp_path, "dying", openmetrics=OPENMETRICS)
    workdir = tmp_path / "work"

    replay = PrometheusReplay(
        bundle, workdir=workdir, prometheus=str(wrapper), cache_dir=tmp_path / "cache"
    )
    with pytest.raises(PrometheusReplayError, match="no-such-flag"):
        replay.start()
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("binary", ["promtool", "prometheus"])
def test_a_missing_binary_says_how_to_install_it(tmp_path: Path, binary: str) -> None:
    bundle = write_bundle(tmp_path, "missing", openmetrics=OPENMETRICS)
    replay = PrometheusReplay(bundle, workdir=tmp_path / "work", **{binary: "/nonexistent"})

    with pytest.raises(PrometheusNotInstalled, match=r"apt-get install prometheus") as raised:
        replay.start()

    assert "/nonexistent" in str(raised.value)
    assert isinstance(raised.value, RuntimeError)
    assert not (tmp_path / "work").exists() or list((tmp_path / "work").iterdir()) == []


def test_render_openmetrics_groups_orders_and_escapes() -> None:
    series = [
        Series(name="b", labels={"x": 'say "hi"\\'}, samples=[(20.0, 2.0), (10.0, 1.5)]),
        Series(name="a", samples=[(5.0, float("nan")), (6.5, float("inf"))], source="s #1"),
        Series(name="b", labels={"x": 'say "hi"\\'}, samples=[(10.0, 1.5), (30.0, -1e20)]),
    ]

    assert render_openmetrics(series) == (
        "a NaN 5\n"
        "a +Inf 6.5\n"
        'b{x="say \\"hi\\"\\\\"} 1.5 10\n'
        'b{x="say \\"hi\\"\\\\"} 2 20\n'
        'b{x="say \\"hi\\"\\\\"} -1e+20 30\n'
        "# EOF\n"
    )
    assert render_openmetrics([]) == "# EOF\n"


def test_render_openmetrics_refuses_millisecond_timestamps_naming_the_series() -> None:
    series = Series(
        name="DCGM_FI_DEV_GPU_TEMP", labels={"gpu": "2"}, samples=[(1773844320000.0, 71.0)],
        source="dcgm.om:4",
    )  # fmt: skip

    with pytest.raises(ValueError, match=r'DCGM_FI_DEV_GPU_TEMP\{gpu="2"\}.*dcgm\.om:4.*second'):
        render_openmetrics([series])


def test_render_openmetrics_refuses_two_values_at_one_time_naming_both_sources() -> None:
    one = Series(name="up", samples=[(10.0, 1.0)], source="a.om:1")
    other = Series(name="up", samples=[(10.0, 0.0)], source="series.yaml series[0]")

    with pytest.raises(ValueError, match=r"a\.om:1.*series\.yaml series\[0\]"):
        render_openmetrics([one, other])


def test_cache_dir_follows_the_environment(tmp_path: Path) -> None:
    assert default_cache_dir({"HOLMES_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}) == Path("/c/tsdb")
    assert default_cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/holmes/tsdb")
    assert default_cache_dir({}) == Path.home() / ".cache" / "holmes" / "tsdb"


@needs_prometheus
@pytest.mark.skipif(
    not (INCIDENTS / "gpu-xid-79-node-3").is_dir(), reason="sample bundle not written yet"
)
def test_sample_bundle_xid_series_answer_promql(sample_bundle, cache_dir: Path) -> None:
    bundle = sample_bundle("gpu-xid-79-node-3")
    now = bundle.time.timestamp()
    # Prometheus drops empty labels (DCGM's container="" on an idle GPU), as a live one does.
    recorded = {
        _key({"__name__": s.name, **{k: v for k, v in s.labels.items() if v}}): [
            [t, f"{v:g}"] for t, v in s.samples
        ]
        for s in bundle.series
        if s.name == "DCGM_FI_DEV_XID_ERRORS"
    }
    first = min(values[0][0] for values in recorded.values())

    with PrometheusReplay(bundle, cache_dir=cache_dir) as replay:
        served = values_of(replay.url, "DCGM_FI_DEV_XID_ERRORS", start=first, end=now, step=30)
        xid79 = api(replay.url, "query", query="DCGM_FI_DEV_XID_ERRORS == 79", time=now)["result"]

    assert served == recorded
    assert [(item["metric"]["Hostname"], item["metric"]["gpu"]) for item in xid79] == [
        ("gpu-node-3", "2")
    ]
    assert xid79[0]["value"] == [now, "79"]


_CHILD = """
import shutil, sys, threading, time, types
from pathlib import Path
from holmes.evals.bundle import load_bundle
from holmes.evals.replay import prometheus_process
from holmes.evals.replay.prometheus import PrometheusReplay

if sys.argv[5] == "python-wrapper":  # as on a system without util-linux's setpriv
    which = shutil.which
    prometheus_process.shutil = types.SimpleNamespace(
        which=lambda name: None if name == "setpriv" else which(name)
    )

replay = PrometheusReplay(load_bundle(sys.argv[1]), workdir=Path(sys.argv[2]),
                          cache_dir=Path(sys.argv[3]))
if sys.argv[4] == "thread":
    # As replay() does: started from a pool thread that ends before the server must.
    starter = threading.Thread(target=replay.start)
    starter.start()
    starter.join()
else:
    replay.start()
print(replay.pid, flush=True)
if sys.argv[4] != "exit":
    time.sleep(60)  # killed by the test
# "exit": once the test has seen the server alive, the interpreter ends without stop(); the
# server must not outlive it.
sys.stdin.readline()
"""


def _gone(pid: int) -> bool:
    """Whether the process has ended (a zombie awaiting its new parent's reaping counts)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@needs_prometheus
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("wrapper", ["setpriv", "python-wrapper"])
@pytest.mark.parametrize("ending", ["crash", "thread", "exit"])
def test_the_server_does_not_outlive_its_parent(tmp_path: Path, ending: str, wrapper: str) -> None:
    bundle = write_bundle(tmp_path, "orphan", openmetrics=OPENMETRICS)
    workdir = tmp_path / "work"
    cache = str(tmp_path / "c")
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(bundle.path), str(workdir), cache, ending, wrapper],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        pid = int(child.stdout.readline())
        if ending == "thread":
            time.sleep(0.2)  # the starting thread has ended; the server must not have
        assert not _gone(pid)
        if ending == "exit":
            child.communicate("\n", timeout=10)  # let it reach the end of its script
        else:
            child.kill()  # SIGKILL: no finally, no atexit in the parent
        child.wait(timeout=10)
        deadline = time.monotonic() + 5
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        child.kill()
        child.wait()

    assert _gone(pid)
    if ending == "exit":
        assert list(workdir.iterdir()) == []
