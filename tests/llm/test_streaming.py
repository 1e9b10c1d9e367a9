"""Streamed replies: assembled as a whole reply would be, slow-but-alive kept, dead cut."""

from __future__ import annotations

import time

import pytest

from holmes.agent.llm import LLMClient, LLMError, LLMSettings
from tests.llm.scripted_server import error, slow, text_reply, tool_calls_reply, trickle
from tests.llm.test_client import QUESTION, TOOLS, compatible

LONG_TEXT = "The GPU on node-3 fell off the bus (XID 79); drain the node and reseat it. " * 4


async def test_a_streamed_reply_is_assembled_with_its_calls_and_usage(scripted_llm):
    scripted_llm.script(
        [
            tool_calls_reply(
                [
                    ("kubernetes_describe", {"kind": "Pod", "name": "trainer-0-with-a-long-name"}),
                    ("kubernetes_describe", {"kind": "Node", "name": "node-3"}),
                ],
                prompt_tokens=321,
                completion_tokens=45,
            )
        ]
    )
    async with LLMClient(compatible(scripted_llm)) as client:
        reply = await client.complete(QUESTION, tools=TOOLS, stream=True)
    sent = scripted_llm.requests[0].body
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert [(c.id, c.name) for c in reply.tool_calls] == [
        ("call_1", "kubernetes_describe"),
        ("call_2", "kubernetes_describe"),
    ]
    assert reply.tool_calls[0].arguments == (
        '{"kind": "Pod", "name": "trainer-0-with-a-long-name"}'
    )
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (321, 45)
    assert reply.finish_reason == "tool_calls"
    assert client.usage.calls == 1


async def test_a_slow_model_that_keeps_writing_is_not_cut(scripted_llm):
    # 20 chunks, 0.05 s apart: a whole reply in ~1 s, well past the 0.3 s timeout.
    scripted_llm.script([trickle(0.05, text_reply(LONG_TEXT)), slow(1.0, text_reply("late"))])
    settings = compatible(scripted_llm, timeout_seconds=0.3, max_retries=0)
    async with LLMClient(settings) as client:
        reply = await client.complete(QUESTION, stream=True)
        assert reply.content == LONG_TEXT
        # The same slowness unstreamed is a timeout: nothing arrives within 0.3 s.
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION)
    assert caught.value.kind == "timeout"


async def test_a_stream_that_stops_is_a_timeout(scripted_llm):
    scripted_llm.script([trickle(2.0, text_reply(LONG_TEXT))])
    settings = compatible(scripted_llm, timeout_seconds=0.3, max_retries=0)
    started = time.monotonic()
    async with LLMClient(settings) as client:
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION, stream=True)
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 1.5


async def test_a_server_that_does_not_stream_is_asked_without_and_remembered(scripted_llm):
    scripted_llm.script(
        [error(400, "'stream' is not supported"), text_reply("one"), text_reply("two")]
    )
    async with LLMClient(compatible(scripted_llm)) as client:
        assert (await client.complete(QUESTION, stream=True)).content == "one"
        assert (await client.complete(QUESTION, stream=True)).content == "two"
    streams = [r.body.get("stream") for r in scripted_llm.requests]
    assert streams == [True, None, None]


async def test_openai_gets_its_cap_parameter_and_required_tool_choice(scripted_llm):
    scripted_llm.script([text_reply("a"), text_reply("b"), text_reply("c")])
    hosted = LLMSettings(
        provider="openai", model="gpt-4.1-mini", api_key="sk", base_url=scripted_llm.url
    )
    async with LLMClient(hosted) as client:
        await client.complete(QUESTION, tools=TOOLS)
    async with LLMClient(compatible(scripted_llm, temperature=None)) as client:
        await client.complete(QUESTION, tools=TOOLS)
        await client.complete(QUESTION, max_tokens=1)  # `holmes doctor`'s one-token probe
    openai_body, compatible_body, probe = (r.body for r in scripted_llm.requests)
    assert openai_body["max_completion_tokens"] == 1200 and "max_tokens" not in openai_body
    assert (openai_body["tool_choice"], openai_body["temperature"]) == ("required", 0.0)
    assert compatible_body["max_tokens"] == 1200 and compatible_body["tool_choice"] == "auto"
    assert "temperature" not in compatible_body  # HOLMES_LLM_TEMPERATURE=default
    assert probe["max_tokens"] == 1
