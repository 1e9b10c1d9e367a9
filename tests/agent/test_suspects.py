"""Every runbook class is one a suspect in the question can name, so that a suspect is never
"ruled out" by a finding of its own kind."""

from __future__ import annotations

import pytest

from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.rules import load_runbooks
from holmes.agent.engine.suspects import NO_SUSPECT, SUSPECTS, asked_suspects, fits


def test_every_runbook_is_confirmed_by_some_suspect() -> None:
    ids = {loaded.runbook.id for loaded in load_runbooks()}
    unclaimed = {i for i in ids if not any(fits(i, s) for s in SUSPECTS)}
    assert unclaimed == set(NO_SUSPECT)


@pytest.mark.parametrize(
    ("question", "suspect", "runbook"),
    [
        (
            "is it the network policy? search cannot reach ranker",
            "the network policy",
            "network-policy-blocks-traffic/ingress-denied",
        ),
        ("could it be a noisy neighbour on the node?", "a noisy neighbour", "node-pressure"),
        (
            "I think it's the topology spread constraint",
            "the scheduling constraints",
            "pending-placement-constraints",
        ),
        ("was it the new release of the api?", "the rollout", "deployment-rollout-stuck"),
        ("is it the GPU memory? vllm dies at load", "the GPU", "model-does-not-fit"),
    ],
)
def test_a_named_suspect_fits_the_finding_of_its_kind(
    question: str, suspect: str, runbook: str
) -> None:
    found = asked_suspects(InvestigationRequest(question=question))
    assert [s.name for _, s in found][:1] == [suspect]
    assert fits(runbook, found[0][1])
