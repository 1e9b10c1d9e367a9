"""Prometheus replays start reliably while gRPC runs in the same process (issue 8, item 5).

With a `preexec_fn` on the Prometheus launch, gRPC's fork handlers ran in the child and aborted
about one start in 80 ("epoll_wait error: Bad file descriptor", exit -6), and every fork printed
"Other threads are currently calling into gRPC, skipping fork() handlers". Here a Hubble replay
server answers GetFlows to four client threads non-stop while one real Prometheus replay after
another is started and stopped. Before the fix this failed 4 starts in 100.

`HOLMES_SPAWN_STARTS` sets the number of starts (default 200, about 17 s on 2 cores).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import grpc
import pytest

from holmes.evals import load_bundle
from holmes.evals.replay.hubble import HubbleReplayServer
from holmes.evals.replay.prometheus import PrometheusReplay
from holmes.tools.hubble.proto.observer import observer_pb2, observer_pb2_grpc
from tests.conftest import INCIDENTS

STARTS = int(os.environ.get("HOLMES_SPAWN_STARTS", "200"))
CLIENTS = 4


class FlowHammer:
    """Client threads calling GetFlows in a loop until stopped; counts calls and errors."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.calls = 0
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run) for _ in range(CLIENTS)]

    def __enter__(self) -> FlowHammer:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self) -> None:
        with grpc.insecure_channel(self.address) as channel:
            stub = observer_pb2_grpc.ObserverStub(channel)
            while not self._stop.is_set():
                try:
                    list(stub.GetFlows(observer_pb2.GetFlowsRequest(number=50), timeout=10))
                    self.calls += 1
                except grpc.RpcError as error:
                    self.errors.append(str(error))


@pytest.fixture
def hubble() -> Iterator[HubbleReplayServer]:
    with HubbleReplayServer(load_bundle(INCIDENTS / "hubble-policy-denied")) as server:
        yield server


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("prometheus") is None, reason="needs Debian's prometheus")
def test_prometheus_starts_every_time_under_concurrent_getflows(
    hubble: HubbleReplayServer, capfd: pytest.CaptureFixture[str]
) -> None:
    bundle = load_bundle(INCIDENTS / "gpu-xid-79-node-3")
    failures: list[str] = []
    with FlowHammer(hubble.address) as hammer:
        for attempt in range(STARTS):
            replay = PrometheusReplay(bundle)
            try:
                replay.start()
            except Exception as error:  # collected: the count is the result
                failures.append(f"start {attempt}: {error}")
            finally:
                replay.stop()
    printed = capfd.readouterr()

    assert failures == []
    assert hammer.errors == []
    assert hammer.calls > STARTS / 10  # the gRPC traffic really overlapped the starts
    assert "fork() handlers" not in printed.err + printed.out
    assert "epoll_wait" not in printed.err + printed.out
