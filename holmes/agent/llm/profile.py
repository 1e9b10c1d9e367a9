"""The model profile: what a hosted model gets, and what a small local one gets instead.

A hosted model (OpenAI, Azure, a large vLLM deployment) takes the default limits. A small local
model (Ollama, llama.cpp, vLLM on a workstation) has an 8k-32k window, reads a prompt at tens of
tokens a second on a CPU, and writes its tool calls as text more often than not: the local
profile gives it the window it has, minutes instead of seconds, fewer turns, fewer tools in the
request, and stricter output instructions. `HOLMES_LLM_PROFILE` (read in LLMSettings) chooses;
`auto` asks the server's /v1/models for the context size and picks local at 32k or less. A
limit set explicitly (HOLMES_LLM_CONTEXT_TOKENS, HOLMES_AGENT_MAX_SECONDS...) always wins.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from holmes.agent.llm import LLMClient
from holmes.agent.llm.budget import AgentLimits
from holmes.agent.llm.settings import LOCAL_CONTEXT_TOKENS

LOCAL_CONTEXT_DEFAULT = 8192
# The limits of the local profile where none was set: a CPU model's turn takes one to four
# minutes (llama.cpp, 1.5B parameters, 2 cores: 52-215 s a first turn, tests/llm/fixtures).
LOCAL_LIMITS = {
    "max_steps": 6,
    "max_tool_calls": 8,
    "max_seconds": 1800.0,
    "evidence_chars": 1000,
}

LOCAL_OUTPUT_RULES = """
Output format (strict): reply with exactly one JSON object and no other text.
- To call a tool: {"name": "<tool name>", "arguments": {<its parameters>}}
- To answer: {"name": "final_answer", "arguments": {"summary": "...", "root_cause": "...",
  "explanation": "...", "claims": [{"claim": "...", "evidence_ids": ["E3"]}],
  "remediation": [{"action": "...", "command": "..."}], "confidence": "medium",
  "fault_found": true, "runbook_id": null, "suspicious": []}}
Write the root cause in your own words; do not copy the runbook text or these rules.
"""


class ModelProfile(BaseModel):
    """How the agent shapes its requests for the model at hand."""

    name: Literal["hosted", "local"] = "hosted"
    max_tools: int | None = None  # tools offered besides final_answer; None: all that fit
    tool_tokens: int = 3200  # the tool schemas' share of the first request
    output_rules: str = ""  # appended to the system prompt
    detected_context: int | None = None  # what /v1/models reported, if asked
    stream: bool = False  # stream replies (streaming.py)

    @classmethod
    def local(cls, detected_context: int | None = None, stream: bool = True) -> ModelProfile:
        """The small-model profile."""
        return cls(
            name="local",
            max_tools=5,
            tool_tokens=1600,
            output_rules=LOCAL_OUTPUT_RULES,
            detected_context=detected_context,
            stream=stream,
        )


async def resolve_profile(llm: LLMClient, limits: AgentLimits) -> tuple[ModelProfile, AgentLimits]:
    """The profile for this client's settings, and the limits it implies (set ones kept)."""
    settings = llm.settings
    detected = None
    name = settings.profile
    if name == "auto":
        name = "hosted"
        if settings.provider == "compatible":
            detected = await llm.context_window()
            if detected is not None and detected <= LOCAL_CONTEXT_TOKENS:
                name = "local"
    if name == "hosted":
        return ModelProfile(detected_context=detected, stream=bool(settings.stream)), limits
    profile = ModelProfile.local(detected, stream=settings.stream is not False)
    given = limits.model_fields_set
    update: dict[str, object] = {k: v for k, v in LOCAL_LIMITS.items() if k not in given}
    if "context_tokens" not in given:
        update["context_tokens"] = detected or LOCAL_CONTEXT_DEFAULT
    return profile, limits.model_copy(update=update)
