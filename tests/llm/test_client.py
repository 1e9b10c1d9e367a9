"""The LLM client against the scripted OpenAI-compatible server, through the real `openai` SDK."""

from __future__ import annotations

import socket
import time
from typing import Any

import openai
import pytest

from holmes.agent.llm import (
    LLMClient,
    LLMError,
    LLMSettings,
    LLMSettingsError,
    estimate_usd,
    known_price,
)
from tests.llm.scripted_server import (
    ScriptedLLMServer,
    error,
    raw,
    slow,
    text_reply,
    tool_calls_reply,
)

QUESTION = [
    {"role": "system", "content": "You troubleshoot Kubernetes."},
    {"role": "user", "content": "Why is trainer-0 stuck?"},
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "kubernetes_describe",
            "description": "Describe an object.",
            "parameters": {
                "type": "object",
                "properties": {"kind": {"type": "string"}, "name": {"type": "string"}},
                "required": ["kind", "name"],
            },
        },
    }
]


class RecordingSleep:
    """Stands in for asyncio.sleep: records the backoff delays without waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def compatible(server: ScriptedLLMServer, **overrides: Any) -> LLMSettings:
    fields: dict[str, Any] = {
        "provider": "compatible",
        "model": "gpt-4o-mini",
        "base_url": server.url,
        "api_key": "sk-test-123",
        "timeout_seconds": 5,
    }
    return LLMSettings(**{**fields, **overrides})


async def test_text_reply_carries_usage_and_list_price_cost(scripted_llm):
    scripted_llm.script(
        [text_reply("The GPU fell off the bus.", prompt_tokens=1000, completion_tokens=500)]
    )
    async with LLMClient(compatible(scripted_llm)) as client:
        reply = await client.complete(QUESTION)

    assert reply.content == "The GPU fell off the bus."
    assert reply.tool_calls == []
    assert reply.finish_reason == "stop"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (1000, 500)
    # gpt-4o-mini list price: 0.15 $ in, 0.60 $ out per 1M tokens.
    assert reply.estimated_usd == pytest.approx((1000 * 0.15 + 500 * 0.60) / 1e6)
    assert 0 < reply.seconds < 5
    [sent] = scripted_llm.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-test-123"
    # Bounded and repeatable: the reply's cap and temperature 0 always go along.
    assert sent.body == {
        "model": "gpt-4o-mini",
        "messages": QUESTION,
        "max_tokens": 1200,
        "temperature": 0.0,
    }
    assert client.usage.calls == 1
    assert client.usage.estimated_usd == pytest.approx(reply.estimated_usd)


async def test_configured_price_wins_and_unknown_model_has_no_cost(scripted_llm):
    scripted_llm.script(
        [
            text_reply("a", prompt_tokens=2_000_000, completion_tokens=1_000_000),
            text_reply("b", prompt_tokens=10, completion_tokens=10),
        ]
    )
    priced = compatible(scripted_llm, input_usd_per_1m=1.0, output_usd_per_1m=3.0)
    async with LLMClient(priced) as client:
        assert (await client.complete(QUESTION)).estimated_usd == pytest.approx(5.0)
    async with LLMClient(compatible(scripted_llm, model="llama3.1:70b")) as client:
        reply = await client.complete(QUESTION)
    assert reply.estimated_usd is None
    assert client.usage.estimated_usd is None
    assert client.usage.prompt_tokens == 10


async def test_parallel_tool_calls_keep_the_raw_arguments(scripted_llm):
    scripted_llm.script(
        [
            tool_calls_reply(
                [
                    ("kubernetes_describe", {"kind": "Pod", "name": "trainer-0"}),
                    ("kubernetes_describe", '{"kind": "Node", "name": '),  # cut off by the model
                ]
            )
        ]
    )
    async with LLMClient(compatible(scripted_llm)) as client:
        reply = await client.complete(QUESTION, tools=TOOLS, tool_choice="auto")

    assert reply.finish_reason == "tool_calls"
    assert reply.content is None
    assert [(call.id, call.name) for call in reply.tool_calls] == [
        ("call_1", "kubernetes_describe"),
        ("call_2", "kubernetes_describe"),
    ]
    assert reply.tool_calls[0].arguments == '{"kind": "Pod", "name": "trainer-0"}'
    assert reply.tool_calls[1].arguments == '{"kind": "Node", "name": '
    sent = scripted_llm.requests[0].body
    assert sent["tools"] == TOOLS
    assert sent["tool_choice"] == "auto"
    assert "response_format" not in sent


async def test_response_format_is_sent(scripted_llm):
    scripted_llm.script([text_reply('{"summary": "x"}')])
    response_format = {"type": "json_object"}
    async with LLMClient(compatible(scripted_llm)) as client:
        await client.complete(QUESTION, response_format=response_format)
    assert scripted_llm.requests[0].body["response_format"] == response_format
    assert "tools" not in scripted_llm.requests[0].body


async def test_rate_limit_is_retried_with_exponential_backoff(scripted_llm):
    scripted_llm.script([error(429), error(429), text_reply("ok")])
    sleep = RecordingSleep()
    settings = compatible(scripted_llm, max_retries=2)
    async with LLMClient(settings, backoff_base_seconds=0.2, sleep=sleep) as client:
        reply = await client.complete(QUESTION)

    assert reply.content == "ok"
    assert reply.attempts == 3
    assert sleep.delays == [0.2, 0.4]
    assert len(scripted_llm.requests) == 3
    usage = client.usage
    assert (usage.calls, usage.retries, usage.failed_calls) == (1, 2, 0)


async def test_retry_after_past_the_deadline_gives_up_at_once(scripted_llm):
    scripted_llm.script([error(429, headers={"retry-after": "30"}), text_reply("too late")])
    sleep = RecordingSleep()
    settings = compatible(scripted_llm, timeout_seconds=1, max_retries=2)
    async with LLMClient(settings, backoff_base_seconds=0.01, sleep=sleep) as client:
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION)

    assert caught.value.kind == "rate_limited"
    assert caught.value.attempts == 1
    assert "asked to wait 30 s" in str(caught.value)
    assert sleep.delays == []
    assert scripted_llm.pending == 1


async def test_server_errors_until_retries_are_exhausted(scripted_llm):
    scripted_llm.script([error(500), error(502), error(503), text_reply("never reached")])
    sleep = RecordingSleep()
    settings = compatible(scripted_llm, max_retries=2)
    async with LLMClient(settings, backoff_base_seconds=0.01, sleep=sleep) as client:
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION)

    assert caught.value.kind == "server_error"
    assert caught.value.status_code == 503
    assert caught.value.attempts == 3
    assert isinstance(caught.value.__cause__, openai.InternalServerError)
    assert scripted_llm.pending == 1
    assert len(sleep.delays) == 2
    assert client.usage.failed_calls == 1


async def test_timeout_is_retried_then_reported_quickly(scripted_llm):
    scripted_llm.script([slow(5, text_reply("late")), slow(5, text_reply("late again"))])
    settings = compatible(scripted_llm, timeout_seconds=0.5, max_retries=1)
    started = time.monotonic()
    async with LLMClient(settings, backoff_base_seconds=0.01) as client:
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION)
    elapsed = time.monotonic() - started

    assert caught.value.kind == "timeout"
    assert caught.value.attempts == 2
    assert len(scripted_llm.requests) == 2
    # Two attempts of 0.5 s within the 1 s deadline, not the server's 5 s.
    assert 0.9 < elapsed < 2.0


async def test_auth_error_is_not_retried(scripted_llm):
    scripted_llm.script([error(401, "Incorrect API key provided"), text_reply("unused")])
    async with LLMClient(compatible(scripted_llm), sleep=RecordingSleep()) as client:
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION)
    assert caught.value.kind == "auth"
    assert "Incorrect API key provided" in str(caught.value)
    assert len(scripted_llm.requests) == 1


async def test_unknown_model_is_a_bad_request(scripted_llm):
    scripted_llm.script([error(404, "The model `gpt-9` does not exist")])
    async with LLMClient(compatible(scripted_llm), sleep=RecordingSleep()) as client:
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION)
    assert caught.value.kind == "bad_request"
    assert "gpt-9" in str(caught.value)


async def test_a_body_that_is_not_a_completion_is_a_bad_response(scripted_llm):
    scripted_llm.script([raw(200, "<html>proxy login</html>")])
    async with LLMClient(compatible(scripted_llm)) as client:
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION)
    assert caught.value.kind == "bad_response"
    assert "proxy login" in str(caught.value)


async def test_an_exhausted_script_answers_500_saying_so(scripted_llm):
    scripted_llm.script([])
    settings = compatible(scripted_llm, max_retries=0)
    async with LLMClient(settings) as client:
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION)
    assert caught.value.kind == "server_error"
    assert "script exhausted" in str(caught.value)


async def test_refused_connection_is_a_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = LLMSettings(
        provider="compatible", model="m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=1
    )
    sleep = RecordingSleep()
    async with LLMClient(settings, sleep=sleep) as client:
        with pytest.raises(LLMError) as caught:
            await client.complete(QUESTION)
    assert caught.value.kind == "connection"
    assert caught.value.attempts == 2
    assert f"127.0.0.1:{port}" in str(caught.value)


async def test_azure_uses_the_deployment_path_api_version_and_api_key_header(scripted_llm):
    scripted_llm.script([text_reply("from azure", prompt_tokens=1000, completion_tokens=0)])
    settings = LLMSettings(
        provider="azure",
        model="gpt-4o",
        azure_endpoint=scripted_llm.endpoint,
        azure_deployment="holmes-gpt4o",
        api_key="azure-key-456",
        api_version="2024-10-21",
    )
    async with LLMClient(settings) as client:
        reply = await client.complete(QUESTION)

    assert reply.content == "from azure"
    assert reply.estimated_usd == pytest.approx(1000 * 2.50 / 1e6)
    [sent] = scripted_llm.requests
    assert sent.path == "/openai/deployments/holmes-gpt4o/chat/completions"
    assert sent.query == {"api-version": "2024-10-21"}
    assert sent.headers["api-key"] == "azure-key-456"
    assert "authorization" not in sent.headers


async def test_usage_accumulates_over_calls(scripted_llm):
    scripted_llm.script(
        [
            tool_calls_reply([("kubernetes_describe", {})], prompt_tokens=300, completion_tokens=7),
            text_reply("done", prompt_tokens=400, completion_tokens=50),
        ]
    )
    async with LLMClient(compatible(scripted_llm)) as client:
        first = await client.complete(QUESTION, tools=TOOLS)
        second = await client.complete(QUESTION, tools=TOOLS)
    usage = client.usage
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (2, 700, 57)
    assert usage.estimated_usd == pytest.approx(first.estimated_usd + second.estimated_usd)
    assert usage.seconds == pytest.approx(first.seconds + second.seconds)


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"PATH": "/usr/bin", "HOME": "/root"},
        {"OPENAI_API_KEY": "", "AZURE_OPENAI_ENDPOINT": " "},
    ],
)
def test_from_env_without_llm_variables_is_none(environ):
    assert LLMSettings.from_env(environ) is None


def test_from_env_openai_key_only():
    settings = LLMSettings.from_env({"OPENAI_API_KEY": "sk-abc"})
    assert settings is not None
    assert (settings.provider, settings.model) == ("openai", "gpt-4.1-mini")
    assert settings.endpoint == "https://api.openai.com/v1"
    assert (settings.timeout_seconds, settings.max_retries) == (None, 2)
    # No timeout set: it scales with the prompt (a CPU model reads 8k tokens in minutes).
    assert settings.timeout_for(0) == 60
    assert settings.timeout_for(8000) == 60 + 0.04 * 8000
    assert (settings.temperature, settings.max_completion_tokens) == (0.0, 1200)
    assert settings.effective_tool_choice == "required"
    assert "sk-abc" not in repr(settings)


def test_from_env_compatible_server_with_numbers_and_prices():
    settings = LLMSettings.from_env(
        {
            "OPENAI_BASE_URL": "http://vllm.ml.svc:8000/v1/",
            "OPENAI_MODEL": "meta-llama/Llama-3.1-70B-Instruct",
            "HOLMES_LLM_TIMEOUT_SECONDS": "120",
            "HOLMES_LLM_MAX_RETRIES": "4",
            "HOLMES_LLM_PRICE_INPUT_PER_1M": "0.5",
            "HOLMES_LLM_PRICE_OUTPUT_PER_1M": "1.5",
            "HOLMES_LLM_MAX_TOKENS": "800",
            "HOLMES_LLM_TEMPERATURE": "default",
            "HOLMES_LLM_TOOL_CHOICE": "Required",
            "HOLMES_LLM_PROFILE": "local",
        }
    )
    assert settings is not None
    assert settings.provider == "compatible"
    assert (settings.max_completion_tokens, settings.temperature) == (800, None)
    assert (settings.effective_tool_choice, settings.profile) == ("required", "local")
    assert settings.timeout_for(100_000) == 120  # set once, it no longer scales
    assert settings.base_url == "http://vllm.ml.svc:8000/v1"
    assert settings.api_key is None
    assert settings.model == "meta-llama/Llama-3.1-70B-Instruct"
    assert (settings.timeout_seconds, settings.max_retries) == (120, 4)
    assert settings.price() == (0.5, 1.5)


def test_from_env_azure_prefers_holmes_model_and_defaults_api_version():
    settings = LLMSettings.from_env(
        {
            "AZURE_OPENAI_ENDPOINT": "https://holmes.openai.azure.com",
            "AZURE_OPENAI_API_KEY": "az",
            "AZURE_OPENAI_DEPLOYMENT": "prod-4o",
            "HOLMES_LLM_MODEL": "gpt-4o",
            "OPENAI_API_KEY": "sk-ignored",
        }
    )
    assert settings is not None
    assert settings.provider == "azure"
    assert (settings.model, settings.azure_deployment) == ("gpt-4o", "prod-4o")
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "az"
    assert settings.api_version == "2024-10-21"


def test_from_env_openai_base_url_of_openai_itself_is_the_openai_provider():
    settings = LLMSettings.from_env(
        {"OPENAI_API_KEY": "sk", "OPENAI_BASE_URL": "https://api.openai.com/v1"}
    )
    assert settings is not None and settings.provider == "openai"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        (
            {"OPENAI_API_KEY": "sk", "HOLMES_LLM_TIMEOUT_SECONDS": "soon"},
            "HOLMES_LLM_TIMEOUT_SECONDS",
        ),
        ({"OPENAI_API_KEY": "sk", "HOLMES_LLM_TIMEOUT_SECONDS": "0"}, "HOLMES_LLM_TIMEOUT_SECONDS"),
        ({"OPENAI_API_KEY": "sk", "HOLMES_LLM_MAX_RETRIES": "2.5"}, "HOLMES_LLM_MAX_RETRIES"),
        ({"OPENAI_API_KEY": "sk", "HOLMES_LLM_MAX_RETRIES": "50"}, "HOLMES_LLM_MAX_RETRIES"),
        ({"OPENAI_API_KEY": "sk", "HOLMES_LLM_MAX_TOKENS": "10"}, "HOLMES_LLM_MAX_TOKENS"),
        ({"OPENAI_API_KEY": "sk", "HOLMES_LLM_TEMPERATURE": "hot"}, "HOLMES_LLM_TEMPERATURE"),
        ({"OPENAI_API_KEY": "sk", "HOLMES_LLM_TEMPERATURE": "3"}, "HOLMES_LLM_TEMPERATURE"),
        ({"OPENAI_API_KEY": "sk", "HOLMES_LLM_PROFILE": "tiny"}, "HOLMES_LLM_PROFILE"),
        ({"OPENAI_API_KEY": "sk", "HOLMES_LLM_TOOL_CHOICE": "any"}, "HOLMES_LLM_TOOL_CHOICE"),
        (
            {"OPENAI_API_KEY": "sk", "HOLMES_LLM_PRICE_INPUT_PER_1M": "1"},
            "HOLMES_LLM_PRICE_INPUT_PER_1M",
        ),
        ({"OPENAI_BASE_URL": "vllm:8000", "HOLMES_LLM_MODEL": "m"}, "OPENAI_BASE_URL"),
        ({"OPENAI_BASE_URL": "http://vllm:8000/v1"}, "HOLMES_LLM_MODEL"),
        ({"HOLMES_LLM_MODEL": "gpt-4o"}, "OPENAI_API_KEY"),
        ({"AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com"}, "AZURE_OPENAI_API_KEY"),
        (
            {"AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com", "AZURE_OPENAI_API_KEY": "k"},
            "AZURE_OPENAI_DEPLOYMENT",
        ),
        (
            {
                "AZURE_OPENAI_ENDPOINT": "x.openai.azure.com",
                "AZURE_OPENAI_API_KEY": "k",
                "AZURE_OPENAI_DEPLOYMENT": "d",
            },
            "AZURE_OPENAI_ENDPOINT",
        ),
    ],
)
def test_from_env_bad_values_name_the_variable(environ, variable):
    with pytest.raises(LLMSettingsError) as caught:
        LLMSettings.from_env(environ)
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ")


def test_settings_refuse_an_incomplete_provider():
    with pytest.raises(ValueError, match="needs base_url"):
        LLMSettings(provider="compatible", model="m")
    with pytest.raises(ValueError, match="azure_endpoint, api_key"):
        LLMSettings(provider="azure", model="m", api_version="2024-10-21")


# --- cost -------------------------------------------------------------------------------------


def test_known_prices_match_exact_names_and_dated_snapshots():
    assert known_price("gpt-4o-2024-08-06") == known_price("gpt-4o")
    assert known_price("gpt-4o-mini") != known_price("gpt-4o")
    assert known_price("llama3.1:70b") is None
    assert known_price(None) is None
    assert estimate_usd(None, 10, 10) is None
