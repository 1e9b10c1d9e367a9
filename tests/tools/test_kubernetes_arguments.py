"""Crafted tool arguments are refused at the tool boundary, before any request.

Each case of issue 8 (a name that walks the URL to a Secret, a node or service proxy, pod exec)
and its namespace, container, kind and apiVersion variants is called through the registry
against a Kubernetes replay server that logs every request: the result is `bad_arguments`
naming the argument and the rule, and the server received nothing. Valid names of each rule
still reach the server, unknown arguments are refused (through the registry and
`holmes tools run`), and path segments are escaped even past validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMClient, LLMSettings
from holmes.agent.llm.graph import LLMAgent
from holmes.cli.main import app
from holmes.evals import load_bundle
from holmes.evals.replay.kubernetes_api import KubernetesReplayServer
from holmes.tools import default_registry
from holmes.tools.context import SourceEndpoints, ToolContext
from holmes.tools.kubernetes.resources import ResourceRef
from tests.conftest import INCIDENTS
from tests.llm.scripted_server import scripted_llm, text_reply, tool_calls_reply

__all__ = ["scripted_llm"]  # the fixture

BUNDLE = INCIDENTS / "crashloop-config-error"
POD = "llm-gateway-7c9d8f6b54-q2w4n"


@pytest.fixture(scope="module")
def server() -> Iterator[KubernetesReplayServer]:
    with KubernetesReplayServer(load_bundle(BUNDLE)) as running:
        yield running


@pytest.fixture
def kubeconfig(server: KubernetesReplayServer, tmp_path: Path) -> Path:
    return server.write_kubeconfig(tmp_path / "kubeconfig")


async def invoke(kubeconfig: Path, tool: str, arguments: dict[str, Any]) -> Any:
    ctx = ToolContext(
        SourceEndpoints(kubeconfig=kubeconfig), now=datetime(2026, 3, 18, 14, 32, tzinfo=UTC)
    )
    try:
        return await default_registry().invoke(tool, arguments, ctx)
    finally:
        await ctx.aclose()


CRAFTED = [
    (
        "kubernetes_get",
        {"kind": "Pod", "namespace": "serving"},
        "name",
        "../secrets/llm-gateway-db",
    ),
    ("kubernetes_get", {"kind": "Node"}, "name", "gpu-node-1/proxy/configz"),
    (
        "kubernetes_get",
        {"kind": "Service", "namespace": "serving"},
        "name",
        "x/proxy/admin/shutdown",
    ),
    ("kubernetes_get", {"kind": "Pod", "namespace": "serving"}, "name", "pod/exec?command=ls"),
    ("kubernetes_describe", {"kind": "Pod", "namespace": "serving"}, "name", "../secrets/x"),
    ("kubernetes_describe", {"kind": "Node"}, "name", "gpu-node-1/proxy/configz"),
    ("kubernetes_node", {}, "name", "gpu-node-1/proxy/configz"),
    ("kubernetes_node", {}, "name", ".."),
    ("kubernetes_logs", {"namespace": "serving"}, "name", "pod/exec?command=ls"),
    ("kubernetes_logs", {"namespace": "serving"}, "name", f"{POD}/exec"),
    ("kubernetes_events", {"kind": "Pod", "namespace": "serving"}, "name", "a,reason=x"),
    ("kubernetes_get", {"kind": "Pod", "name": "x"}, "namespace", "../../api/v1/secrets"),
    ("kubernetes_get", {"kind": "Pod", "name": "x"}, "namespace", "serving/secrets/db"),
    ("kubernetes_list", {"kind": "Pod"}, "namespace", "kube-system/secrets"),
    ("kubernetes_find", {"name": "gateway"}, "namespace", "Serving"),
    ("kubernetes_events", {}, "namespace", "ns?watch=true"),
    ("kubernetes_logs", {"name": POD}, "namespace", "serving/pods/x"),
    ("kubernetes_logs", {"namespace": "serving", "name": POD}, "container", "../exec"),
    ("kubernetes_logs", {"namespace": "serving", "name": POD}, "container", "gateway?command=ls"),
    ("kubernetes_get", {"name": "db", "namespace": "serving"}, "kind", "secrets/llm-gateway-db"),
    ("kubernetes_get", {"name": "x", "namespace": "serving"}, "kind", "pods/exec"),
    ("kubernetes_list", {}, "kind", "../secrets"),
    ("kubernetes_describe", {"name": "gpu-node-1"}, "kind", "nodes/proxy"),
    ("kubernetes_events", {}, "kind", "Pod,reason=x"),
    ("kubernetes_get", {"kind": "Pod", "name": "x"}, "api_version", "v1/namespaces/serving"),
    ("kubernetes_list", {"kind": "Pod"}, "api_version", "../api/v1"),
]


@pytest.mark.parametrize(("tool", "base", "argument", "value"), CRAFTED)
async def test_crafted_argument_is_refused_before_any_request(
    server: KubernetesReplayServer,
    kubeconfig: Path,
    tool: str,
    base: dict[str, Any],
    argument: str,
    value: str,
) -> None:
    before = len(server.requests)
    result = await invoke(kubeconfig, tool, {**base, argument: value})
    assert result.error is not None and result.error.kind == "bad_arguments"
    assert result.error.message.startswith(f"invalid arguments: {argument}: {value!r}")
    assert "must be" in result.error.message  # the rule is stated
    assert server.requests[before:] == []


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("kubernetes_get", {"kind": "Pod", "namespace": "serving", "name": POD}),
        ("kubernetes_node", {"name": "gpu-node-1"}),  # a subdomain, not found is fine
        ("kubernetes_get", {"kind": "svc", "namespace": "serving", "name": "llm-gateway"}),
        (
            "kubernetes_get",
            {
                "kind": "ClusterRole",
                "name": "system:node",
                "api_version": "rbac.authorization.k8s.io/v1",
            },
        ),
        ("kubernetes_events", {"namespace": "", "name": "system:node"}),
        ("kubernetes_list", {"kind": "Secret", "namespace": "serving"}),
        ("kubernetes_find", {"name": "LLM Gateway / pods?"}),  # search text, not a name
    ],
)
async def test_valid_arguments_of_each_rule_reach_the_server(
    server: KubernetesReplayServer, kubeconfig: Path, tool: str, arguments: dict[str, Any]
) -> None:
    before = len(server.requests)
    result = await invoke(kubeconfig, tool, arguments)
    assert result.error is None or result.error.kind != "bad_arguments", result.render()
    assert server.requests[before:]


async def test_unknown_argument_is_refused_naming_it_and_the_known_ones(
    server: KubernetesReplayServer, kubeconfig: Path
) -> None:
    before = len(server.requests)
    result = await invoke(kubeconfig, "kubernetes_list", {"kind": "Pod", "bogus": 1, "ns": "x"})
    assert result.error is not None and result.error.kind == "bad_arguments"
    assert "unknown arguments bogus, ns" in result.error.message
    assert "kubernetes_list takes kind, namespace" in result.error.message
    assert server.requests[before:] == []


def test_cli_refuses_an_unknown_argument_and_a_crafted_name() -> None:
    runner = CliRunner()
    incident = ["--incident", str(BUNDLE)]
    bogus = runner.invoke(
        app, ["tools", "run", "kubernetes_list", *incident, "kind=Pod", "bogus=1"]
    )
    assert bogus.exit_code == 1
    assert "unknown argument bogus" in bogus.output and "Traceback" not in bogus.output
    get = ["tools", "run", "kubernetes_get", *incident, "kind=Pod", "namespace=serving"]
    crafted = runner.invoke(app, [*get, "name=../secrets/llm-gateway-db"])
    assert crafted.exit_code == 1
    assert "name: '../secrets/llm-gateway-db' is not a valid Pod name" in crafted.output
    assert "RFC 1123 subdomain" in crafted.output


def test_every_path_segment_is_escaped() -> None:
    pods = ResourceRef(group="", version="v1", kind="Pod", plural="pods", namespaced=True)
    assert (
        pods.path("serving", "../secrets/db") == "/api/v1/namespaces/serving/pods/..%2Fsecrets%2Fdb"
    )
    assert pods.path("a/b", "x?y", "log") == "/api/v1/namespaces/a%2Fb/pods/x%3Fy/log"
    claims = ResourceRef(
        group="resource.k8s.io",
        version="v1",
        kind="ResourceClaim",
        plural="resourceclaims",
        namespaced=True,
    )
    assert claims.path() == "/apis/resource.k8s.io/v1/resourceclaims"


async def test_the_llm_gets_the_refusal_back_as_the_tool_result(scripted_llm, tool_context):
    scripted_llm.script(
        [
            tool_calls_reply(
                [
                    ("kubernetes_list", {"kind": "Pod", "namespace": "serving", "bogus": 1}),
                    ("kubernetes_get", {"kind": "Node", "name": "gpu-node-1/proxy/configz"}),
                ]
            ),
            text_reply("done"),
            text_reply("done"),
            text_reply("done"),
        ]
    )
    settings = LLMSettings(
        provider="compatible", model="m", base_url=scripted_llm.url, timeout_seconds=5
    )
    agent = LLMAgent(RunbookEngine(default_registry()), LLMClient(settings))
    question = InvestigationRequest(question="why does the llm gateway in serving crash?")
    await agent.investigate(question, tool_context("crashloop-config-error"))
    tool_messages = [m for m in scripted_llm.requests[1].body["messages"] if m["role"] == "tool"]
    assert "unknown argument bogus" in tool_messages[0]["content"]
    assert (
        "name: 'gpu-node-1/proxy/configz' is not a valid Node name" in tool_messages[1]["content"]
    )
