"""Opt-in: the agent against a real OpenAI-compatible server (llama.cpp, Ollama, vLLM...).

    HOLMES_TEST_LLM_BASE_URL=http://127.0.0.1:8080/v1 [HOLMES_TEST_LLM_MODEL=name] \\
        .venv/bin/python -m pytest -m local_llm tests/agent/test_local_llm.py -s

Skipped unless HOLMES_TEST_LLM_BASE_URL is set. Two public incidents run through the whole
agent; each must end without an exception, with at least one tool call the model asked for
(natively or in its text) and a Diagnosis that validates. It asserts no accuracy: what the
model concluded is printed (mode, root cause, calls, seconds) for a person to read. The model
profile is `auto` unless HOLMES_LLM_PROFILE says otherwise (set it to `local` for a server that
does not report its context on /v1/models).
"""

from __future__ import annotations

import os

import httpx
import pytest

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMClient, LLMSettings
from holmes.agent.llm.graph import LLMAgent
from holmes.evals.bundle import load_bundle
from holmes.evals.runner import request_for
from holmes.tools import default_registry
from tests.conftest import INCIDENTS

BASE_URL = os.environ.get("HOLMES_TEST_LLM_BASE_URL", "")
INCIDENTS_RUN = ["oom-killed-embedding-worker", "image-pull-failure-triton-bad-tag"]

pytestmark = [
    pytest.mark.local_llm,
    pytest.mark.skipif(not BASE_URL, reason="set HOLMES_TEST_LLM_BASE_URL to run against a model"),
]


def served_model() -> str:
    """HOLMES_TEST_LLM_MODEL, else the first model the server lists."""
    named = os.environ.get("HOLMES_TEST_LLM_MODEL")
    if named:
        return named
    listing = httpx.get(f"{BASE_URL.rstrip('/')}/models", timeout=10).json()
    return listing["data"][0]["id"]


@pytest.mark.parametrize("incident", INCIDENTS_RUN)
async def test_a_real_model_investigates_a_public_incident(incident, tool_context):
    environ = {
        "OPENAI_BASE_URL": BASE_URL,
        "HOLMES_LLM_MODEL": served_model(),
        "HOLMES_LLM_PROFILE": os.environ.get("HOLMES_LLM_PROFILE", "auto"),
    }
    settings = LLMSettings.from_env(environ)
    assert settings is not None
    agent = LLMAgent(RunbookEngine(default_registry()), LLMClient(settings))
    request = request_for(load_bundle(INCIDENTS / incident))
    diagnosis = await agent.investigate(request, tool_context(INCIDENTS / incident))
    run = agent.last_run
    assert run is not None
    print(  # noqa: T201  (what the model concluded, for the person who runs this test)
        f"\n{incident}: mode {diagnosis.mode}, profile {run.profile.name}, "
        f"model tool calls {run.tool_calls} ({run.text_calls} in text), turns {run.turns}, "
        f"{diagnosis.cost.seconds:.0f} s\n  root cause: {diagnosis.root_cause}\n"
        f"  warnings: {diagnosis.warnings}"
    )
    Diagnosis.model_validate(diagnosis.model_dump(mode="json"))
    assert diagnosis.root_cause
    assert run.tool_calls >= 1, "the model made no tool call"
