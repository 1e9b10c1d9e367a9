"""Contracts others build on, compared with stored snapshots: the agent's graph (as Mermaid),
the Diagnosis JSON schema, and the final_answer tool schema the model sees.

A change to any of them must be deliberate: re-write the snapshots with
HOLMES_UPDATE_SNAPSHOTS=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMClient, LLMSettings
from holmes.agent.llm.answer import final_answer_tool
from holmes.agent.llm.budget import AgentLimits
from holmes.agent.llm.graph import build_graph
from holmes.agent.llm.graph_nodes import AgentNodes
from holmes.agent.llm.state import AgentRun
from holmes.tools import SourceEndpoints, ToolContext, default_registry

SNAPSHOTS = Path(__file__).parent / "snapshots"


def graph_mermaid() -> str:
    registry = default_registry()
    ctx = ToolContext(SourceEndpoints())
    settings = LLMSettings(provider="compatible", model="m", base_url="http://127.0.0.1:9/v1")
    run = AgentRun(
        RunbookEngine(registry, []),
        LLMClient(settings),
        ctx,
        Gatherer(registry, ctx),
        AgentLimits(),
    )
    return build_graph(AgentNodes(run)).get_graph().draw_mermaid()


CONTRACTS = {
    "graph.mmd": graph_mermaid,
    "diagnosis.schema.json": lambda: json.dumps(Diagnosis.model_json_schema(), indent=2) + "\n",
    "final_answer.tool.json": lambda: json.dumps(final_answer_tool(), indent=2) + "\n",
}


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_contract_matches_its_snapshot(name):
    current = CONTRACTS[name]()
    path = SNAPSHOTS / name
    if os.environ.get("HOLMES_UPDATE_SNAPSHOTS") == "1":
        path.write_text(current, encoding="utf-8")
    assert path.is_file(), f"no snapshot {path}; write it with HOLMES_UPDATE_SNAPSHOTS=1"
    assert current == path.read_text(encoding="utf-8")
