"""A corpus of planted credentials: none is printed by `holmes ask` or `holmes tools run`, or
sent to the LLM, verbatim.

The bundle is `crashloop-config-error` with credentials of every kind redaction knows planted
where a cluster holds them: Event messages, a container's command and args, env values (under
secret names and under names that say nothing), a ConfigMap's data and binaryData, and the
logs. It is replayed and read through `holmes ask` (plain, `--json`, `-v`), `holmes tools run`
of every Kubernetes tool (text and `--json`), and `holmes ask` with an LLM (the scripted
server records every request body). No secret may appear verbatim anywhere; and each one's
stable mask must appear somewhere, which proves it reached a tool and was masked, not lost.

Fake credentials are assembled at run time so that secret scanners do not flag this file.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from holmes.cli.main import app
from holmes.cli.tools import parse_arguments
from holmes.tools import default_registry
from holmes.tools.redaction import mask
from tests.conftest import INCIDENTS
from tests.llm.scripted_server import scripted_llm, tool_calls_reply

__all__ = ["scripted_llm"]  # the fixture

SOURCE = INCIDENTS / "crashloop-config-error"
POD = "llm-gateway-7c9d8f6b54-q2w4n"
CONFIG = "llm-gateway-config-v7"
runner = CliRunner()

# kind -> the secret itself; the text around each is planted below.
S = {
    "event password": "Qw7!rT9" + "zLp",
    "event query token": "tK4mZ8q" + "W2xR7",
    "event bearer": "bR9xK2mQ" + "7wZ4tL8v",
    "event api_key": "aK3jH8g" + "F5dS2",
    "event connection string": "Pg5Ecr3" + "tXy",
    "command mysql -p": "My5qlR0" + "0tPw",
    "args --password": "ArgP4ss" + "W0rd",
    "args --db-password=": "FlagEq9" + "Secret",
    "args --api-token": "tok_9Xk" + "Q2mW7zR4p",
    "command PGPASSWORD=": "PgEnv7" + "Secret",
    "command env assignment": "ops:Kw4" + "nB8xQz",
    "env DB_PASSWORD": "EnvNamed" + "8Pw",
    "env user:password": "svc:Zq8" + "mP2vXk",
    "env base64 blob": "dXNlcjpwYXNz" + "d29yZDEyMw9xQ",
    "env github": "ghp_" + "a1B2c3D4e5" * 4,
    "env gitlab": "glpat-" + "Xy3zAb7cDe9fGh1iJk2L",
    "env slack": "xoxb-" + "123456789012-1234567890123-" + "AbCdEfGh" * 3,
    "env aws key id": "AKIA" + "IOSFODNN7EXAMPLE",
    "env aws secret": "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
    "env openai": "sk-proj-" + "Ab3_De6-Gh9" * 6,
    "env huggingface": "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz" + "01234567",
    "env jwt": "eyJhbGciOiJIUzI1NiJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "env random": "Xk9mQ2wZ" + "7rT4pL8vN3bY",
    "configmap password=": "CmPass9" + "Word",
    "configmap redis url": "R3disPa" + "ssw0rd",
    "configmap basic auth": "dXNlcjpT" + "M2NyM3RQYXNz",
    "configmap pem": "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2Tx" + "abcdEFGHijklMNOPqrstUVWX",
    "binaryData keystore": "S2V5c3RvcmVT" + "ZWNyZXQxMjM0NTY=",
    "binaryData token": "QmluYXJ5VG9r" + "ZW45ODc2NTQzMjE=",
    "log prose password": "LogPw7" + "Secret",
    "log access_token": "AcT0k3n" + "Zz9Qw",
    "log mysqldump -p": "Dump3d" + "Pw9",
    "log openai export": "sk-proj-" + "Lg7_Kq2-Zx5" * 6,
    "log github": "ghp_" + "Z9y8X7w6V5" * 4,
}
# Masked as a whole block, not as this exact string: proven by the body being gone.
_NO_OWN_MASK = {"configmap pem"}


def _event(name: str, reason: str, message: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{POD}.{name}", "namespace": "serving"},
        "involvedObject": {"kind": "Pod", "name": POD, "namespace": "serving"},
        "reason": reason,
        "message": message,
        "type": "Warning",
        "firstTimestamp": "2026-10-14T09:40:00Z",
        "lastTimestamp": "2026-10-14T09:41:00Z",
        "count": 2,
    }


def _plant_kubernetes(folder: Path) -> None:
    kube = folder / "kubernetes"
    events = yaml.safe_load((kube / "events.yaml").read_text())
    events["items"] += [
        _event("a1", "DBLogin", f"mysql login failed with password {S['event password']} for root"),
        _event(
            "a2",
            "Unhealthy",
            f"Readiness probe failed: GET /health?token={S['event query token']}&x=1 gave 401",
        ),
        _event("a3", "Failed", f"pull: Authorization: Bearer {S['event bearer']} was refused"),
        _event(
            "a4", "Webhook", f"call to https://hooks.example/x?api_key={S['event api_key']} failed"
        ),
        _event(
            "a5",
            "DialFailed",
            f"dial postgres://svc:{S['event connection string']}@db:5432/app: i/o timeout",
        ),
    ]
    (kube / "events.yaml").write_text(yaml.safe_dump(events))
    pods = yaml.safe_load((kube / "pods.yaml").read_text())
    pod = next(p for p in pods["items"] if p["metadata"]["name"] == POD)
    gateway = pod["spec"]["containers"][0]
    gateway["command"] = [
        "sh",
        "-c",
        f"PGPASSWORD={S['command PGPASSWORD=']} psql -h db -c 'select 1' && "
        f"export MY_CREDS={S['command env assignment']} && "
        f"mysql -uroot -p{S['command mysql -p']} -h db app && exec gateway",
    ]
    gateway["args"] += [
        "--password",
        S["args --password"],
        f"--db-password={S['args --db-password=']}",
        "--api-token",
        S["args --api-token"],
    ]
    env_names = {
        "env DB_PASSWORD": "DB_PASSWORD",
        "env user:password": "MY_CREDS",
        "env base64 blob": "UPSTREAM_BLOB",
        "env github": "GH",
        "env gitlab": "GL",
        "env slack": "CHAT",
        "env aws key id": "AWS_ID",
        "env aws secret": "CLOUD_BLOB",
        "env openai": "LLM_KEYS",
        "env huggingface": "HUB",
        "env jwt": "SESSION",
        "env random": "RANDOMX",
    }
    gateway["env"] += [{"name": name, "value": S[kind]} for kind, name in env_names.items()]
    (kube / "pods.yaml").write_text(yaml.safe_dump(pods))
    config = yaml.safe_load((kube / "config.yaml").read_text())
    configmap = next(c for c in config["items"] if c["metadata"]["name"] == CONFIG)
    pem = S["configmap pem"]
    configmap["data"].update(
        {
            "db.conf": f"host=db\npassword={S['configmap password=']}\n",
            "cache.url": f"redis://default:{S['configmap redis url']}@redis:6379/0",
            "auth.txt": f"Authorization: Basic {S['configmap basic auth']}\n",
            "ssh.key": f"-----BEGIN RSA PRIVATE KEY-----\n{pem[:39]}\n{pem[39:]}\n"
            "-----END RSA PRIVATE KEY-----\n",
        }
    )
    configmap["binaryData"] = {
        "keystore.jks": S["binaryData keystore"],
        "token.bin": S["binaryData token"],
    }
    (kube / "config.yaml").write_text(yaml.safe_dump(config))


def _plant_logs(folder: Path) -> None:
    logs = folder / "logs" / "serving" / POD
    planted = [
        f"2026-10-14T09:41:50Z INFO connecting with password {S['log prose password']}",
        f"2026-10-14T09:41:51Z DEBUG GET /cb?access_token={S['log access_token']}&state=1",
        f"2026-10-14T09:41:52Z INFO backup: mysqldump -uroot -p{S['log mysqldump -p']} app",
        f"2026-10-14T09:41:53Z DEBUG export OPENAI_API_KEY={S['log openai export']}",
        f"2026-10-14T09:41:54Z ERROR cloning with {S['log github']} failed",
    ]
    for name in ("gateway.previous.log", "gateway.log"):
        path = logs / name
        path.write_text("\n".join(planted) + "\n" + path.read_text())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "crashloop-config-error"
    shutil.copytree(SOURCE, folder)
    _plant_kubernetes(folder)
    _plant_logs(folder)
    return folder


def _leaks(text: str) -> list[str]:
    found = [kind for kind, secret in S.items() if secret in text]
    # A planted secret in a JSON string may appear with its `/` escaped.
    found += [
        kind for kind, secret in S.items() if "/" in secret and secret.replace("/", "\\/") in text
    ]
    return sorted(set(found))


def _mask_id(secret: str) -> str:
    return re.search(r":([0-9a-f]{6})\]$", mask(secret)).group(1)


def _unmasked(outputs: str) -> list[str]:
    """Kinds whose stable mask appears nowhere: they never reached a tool, or were cut."""
    return [
        kind
        for kind, secret in S.items()
        if kind not in _NO_OWN_MASK and f":{_mask_id(secret)}]" not in outputs
    ]


TOOL_CALLS = [
    ["kubernetes_get", "kind=Pod", "namespace=serving", f"name={POD}"],
    ["kubernetes_get", "kind=ConfigMap", "namespace=serving", f"name={CONFIG}"],
    ["kubernetes_list", "kind=Pod", "namespace=serving"],
    ["kubernetes_list", "kind=ConfigMap", "namespace=serving"],
    ["kubernetes_list", "kind=Event", "namespace=serving", "limit=100"],
    ["kubernetes_find", "name=llm gateway"],
    ["kubernetes_lookup", f"names={CONFIG},{POD}", "namespace=serving"],
    ["kubernetes_kinds"],
    ["kubernetes_describe", "kind=Pod", "namespace=serving", f"name={POD}"],
    ["kubernetes_describe", "kind=ConfigMap", "namespace=serving", f"name={CONFIG}"],
    ["kubernetes_events", "namespace=serving", "limit=100"],
    ["kubernetes_logs", "namespace=serving", f"name={POD}", "container=gateway"],
    ["kubernetes_logs", "namespace=serving", f"name={POD}", "container=gateway", "previous=true"],
    ["kubernetes_node", "name=cpu-node-2"],
    ["kubernetes_rollout_history", "namespace=serving", "name=llm-gateway", "since=30d"],
    ["kubernetes_autoscalers", "namespace=serving"],
]


def test_the_corpus_has_thirty_credentials_of_every_kind() -> None:
    assert len(S) >= 30 and len(set(S.values())) == len(S)


def test_the_tool_calls_cover_every_kubernetes_tool() -> None:
    names = {tool.name for tool in default_registry().tools("kubernetes")}
    assert names == {call[0] for call in TOOL_CALLS}


@pytest.mark.slow
def test_tools_run_prints_no_planted_secret(bundle: Path) -> None:
    outputs = []
    for call in TOOL_CALLS:
        for json_flag in ([], ["--json"]):
            result = runner.invoke(
                app, ["tools", "run", *call[:1], "--incident", str(bundle), *json_flag, *call[1:]]
            )
            assert result.exit_code == 0, (call, result.output)
            assert _leaks(result.output) == [], (call, json_flag)
            outputs.append(result.output)
    assert _unmasked("\n".join(outputs)) == []
    assert S["configmap pem"][:39] not in "".join(outputs)


@pytest.mark.slow
@pytest.mark.parametrize("flags", [[], ["--json"], ["-v"]])
def test_ask_prints_no_planted_secret(bundle: Path, flags: list[str]) -> None:
    result = runner.invoke(app, ["ask", "--incident", str(bundle), "--no-llm", *flags])
    assert result.exit_code == 0, result.output
    assert _leaks(result.output) == []
    assert "vllm-mixtral" in result.output  # the diagnosis still reads


@pytest.mark.slow
def test_nothing_planted_is_sent_to_the_llm(bundle: Path, scripted_llm, tmp_path: Path) -> None:
    calls = [(call[0], parse_arguments(call[1:])) for call in TOOL_CALLS]
    final = (
        "final_answer",
        {
            "summary": "gateway config has no url",
            "root_cause": "upstream vllm-mixtral in ConfigMap llm-gateway-config-v7 has no url",
            "explanation": "the gateway exits on start",
            "claims": [{"claim": "the config lacks url", "evidence_ids": ["E1"]}],
            "remediation": [{"action": "fix the config"}],
            "confidence": "high",
            "runbook_id": "crashloop-app-error",
        },
    )
    scripted_llm.script(
        [tool_calls_reply(calls[:6]), tool_calls_reply(calls[6:]), tool_calls_reply([final])]
    )
    environment = {
        "OPENAI_BASE_URL": scripted_llm.url,
        "OPENAI_API_KEY": "sk-test",
        "HOLMES_LLM_MODEL": "gpt-4o-mini",
        "HOLMES_CONVERSATIONS": str(tmp_path / "conversations.sqlite"),
        "HOLMES_AGENT_MAX_TOOL_CALLS": "40",
        "HOLMES_LLM_CONTEXT_TOKENS": "400000",
    }
    result = runner.invoke(app, ["ask", "--incident", str(bundle)], env=environment)
    assert result.exit_code == 0, result.output
    assert len(scripted_llm.requests) == 3
    bodies = "\n".join(json.dumps(request.body) for request in scripted_llm.requests)
    assert _leaks(bodies) == []
    assert _leaks(result.output) == []
    tool_results = "\n".join(
        json.dumps(m) for m in scripted_llm.requests[-1].body["messages"] if m["role"] == "tool"
    )
    assert tool_results.count("[REDACTED") >= 30  # the tools' results went out, masked
