"""Bad input at every CLI command: one clear message, exit 2 (usage) or 1 (could not investigate).

Each case runs the real command through typer's CliRunner and checks the exit code, that the
message names the parameter or file and the problem, and that no exception escaped (no
traceback). Investigations run against replays of the sample incidents.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.cli.inputs import checked_hubble_address
from holmes.cli.main import app
from tests.conftest import INCIDENTS

runner = CliRunner()
OOM = INCIDENTS / "oom-killed-embedding-worker"
OOM_POD = "embedding-worker-7d5c8b9f64-k2x8p"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """Invoke `holmes ARGS`; fail on any exception but the command's own exit."""
    # Wide enough that rich never wraps a path in the middle.
    result = runner.invoke(app, list(args), env={"COLUMNS": "400", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def flat(output: str) -> str:
    """The output without rich's box drawing and line wrapping, for matching a message."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


def usage_error(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    for part in expected:
        assert part in text, text


# --- the question ---


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_blank_question_without_alert_is_a_usage_error(question: str) -> None:
    usage_error(run("ask", question), "Invalid value for QUESTION", "give a question")


def test_blank_question_with_an_incident_falls_back_to_the_bundles_question() -> None:
    result = run("ask", "  ", "--incident", str(OOM), "--no-llm", "--json")
    assert result.exit_code == 0, result.output
    assert "Why does the embedding worker in namespace search keep restarting?" in flat(
        result.stderr
    )
    assert Diagnosis.model_validate_json(result.stdout).runbook_id == "oom-killed"


def test_question_bytes_that_are_not_utf8_are_replaced_and_noted() -> None:
    # Python hands undecodable argv bytes over as lone surrogates (here: b"\xff").
    result = run("ask", "why does \udcff the embedding worker restart?", "--incident", str(OOM))
    assert result.exit_code == 0, result.output
    assert "note: the question had bytes that are not UTF-8" in result.stderr
    assert "why does \ufffd the embedding worker restart?" in flat(result.stderr)


def test_a_huge_question_is_not_echoed_whole() -> None:
    question = "x" * 100_000
    result = run("ask", question, "--incident", str(OOM), "--no-llm")
    assert result.exit_code == 0, result.output
    assert "... (100000 characters)" in flat(result.stderr)
    assert len(result.output) < 20_000


# --- limits ---


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0", "greater than 0, not 0.0"),
        ("-1", "greater than 0, not -1.0"),
        ("nan", "must be a finite number of seconds, not nan"),
        ("inf", "must be a finite number of seconds, not inf"),
        ("soon", "Input should be a valid number"),
    ],
)
@pytest.mark.parametrize("command", [["ask", "q"], ["tools", "run", "kubernetes_list"]])
def test_timeout_must_be_a_positive_finite_number(
    command: list[str], value: str, problem: str
) -> None:
    result = run(*command, "--incident", str(OOM), "--timeout", value)
    usage_error(result, "Invalid value for '--timeout'", problem)


# --- alerts ---


def write(tmp_path: Path, name: str, content: object) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def alert(name: str, pod: str) -> dict:
    return {"labels": {"alertname": name, "namespace": "search", "pod": pod}}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('"hello"', "holds a string"),
        (["not an alert"], "[0]: each alert of a list needs a labels mapping"),
        ([], "holds an empty list"),
        (42, "holds a number"),
        ('{"alerts": [', "not JSON"),
        ({"labels": "x"}, "labels: Input should be a valid dictionary"),
    ],
)
def test_an_alert_file_that_is_not_an_alertmanager_payload(
    tmp_path: Path, content: object, problem: str
) -> None:
    path = write(tmp_path, "alert.json", content)
    result = run("ask", "--alert", str(path), "--incident", str(OOM))
    usage_error(result, "Invalid value for --alert", f"{path}: ", problem)


def test_an_alert_file_that_is_binary_or_a_folder(tmp_path: Path) -> None:
    binary = tmp_path / "alert.json"
    binary.write_bytes(b'{"labels": {"a": "\xff"}}')
    usage_error(run("ask", "--alert", str(binary)), f"{binary}: not UTF-8")
    usage_error(run("ask", "--alert", str(tmp_path)), f"{tmp_path}: is a folder")
    missing = tmp_path / "nope.json"
    usage_error(run("ask", "--alert", str(missing)), f"{missing}: No such file")


def test_a_payload_with_several_alerts_gets_an_answer_per_alert(tmp_path: Path) -> None:
    payload = {
        "alerts": [
            alert("KubePodCrashLooping", OOM_POD),
            alert("KubePodNotReady", "embedding-worker-7d5c8b9f64-r7nqz"),
            alert("KubePodCrashLooping", "no-such-pod"),
        ]
    }
    path = write(tmp_path, "alerts.json", payload)
    result = run("ask", "--alert", str(path), "--incident", str(OOM), "--json")
    assert result.exit_code == 0, result.output
    answers = [Diagnosis.model_validate(item) for item in json.loads(result.stdout)]
    assert len(answers) == 3
    assert [a.runbook_id for a in answers[:2]] == ["oom-killed", "oom-killed"]
    assert answers[2].runbook_id != "oom-killed"  # the third names a pod that is not there
    for number in (1, 2, 3):
        assert f"investigating ({number} of 3)" in result.stderr


def test_a_json_list_of_alerts_is_read_like_a_payload(tmp_path: Path) -> None:
    path = write(tmp_path, "alerts.json", [alert("KubePodCrashLooping", OOM_POD)])
    result = run("ask", "--alert", str(path), "--incident", str(OOM))
    assert result.exit_code == 0, result.output
    assert "OOMKilled" in result.stdout


# --- live sources ---


def test_a_missing_kubeconfig_says_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "kubeconfig"
    usage_error(
        run("ask", "q", "--kubeconfig", str(missing)),
        "Invalid value for --kubeconfig",
        f"kubeconfig {missing}: file not found",
    )
    usage_error(
        run("ask", "q", env={"KUBECONFIG": str(missing)}),
        "Invalid value for KUBECONFIG",
        "file not found",
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("just a string\n", "must be a mapping with clusters, contexts and users; it is a str"),
        ("", "must be a mapping with clusters, contexts and users; it is empty"),
        ("clusters: {a: 1}\n", "'clusters' must be a list"),
        ("a: [b\n", "not valid YAML"),
    ],
)
@pytest.mark.parametrize("command", [["ask", "q"], ["tools", "run", "kubernetes_list"]])
def test_a_kubeconfig_that_is_not_one(
    tmp_path: Path, command: list[str], content: str, problem: str
) -> None:
    path = write(tmp_path, "kubeconfig", content)
    result = run(*command, "--kubeconfig", str(path))
    usage_error(result, "--kubeconfig", f"kubeconfig {path}: {problem}")


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--prometheus-url", "not a url", "is not an http(s) URL"),
        ("--prometheus-url", "ftp://prometheus:9090", "is not an http(s) URL"),
        ("--prometheus-url", "http://prometheus:port", "Invalid port"),
        ("--hubble-address", "::::", "is not host:port"),
        ("--hubble-address", "hubble-relay", "is not host:port"),
        ("--hubble-address", "relay:99999", "is not host:port"),
    ],
)
def test_a_bad_source_address_is_named(option: str, value: str, problem: str) -> None:
    # The configuration's own check (a pattern per field) may refuse the value first; either
    # way the message names the flag and the command exits 2 without investigating.
    result = run("ask", "q", option, value)
    usage_error(result, option)
    text = flat(result.output)
    assert problem in text or "should match pattern" in text, text


@pytest.mark.parametrize(
    "address", ["hubble-relay:4245", "tls://relay.example:443", "[::1]:4245", "dns:///relay:80"]
)
def test_good_hubble_addresses_pass_the_check(address: str) -> None:
    assert checked_hubble_address(f" {address} ") == address


def test_ask_exits_1_when_no_source_answered(tmp_path: Path) -> None:
    # A kubeconfig of the right shape whose one cluster refuses connections.
    config = write(
        tmp_path,
        "kubeconfig",
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n",
    )
    result = run("ask", "why is web failing?", "--kubeconfig", str(config), "--no-llm")
    assert result.exit_code == 1, result.output
    assert "could not investigate: no source answered" in flat(result.stderr)
    assert "Could not investigate" in result.stdout  # the answer still says why


# --- bundles ---


def broken_copy(root: Path, name: str) -> Path:
    """A copy of the OOM sample whose extra object has a list for a namespace."""
    folder = root / name
    shutil.copytree(OOM, folder)
    incident = folder / "incident.yaml"
    incident.write_text(incident.read_text().replace(f"id: {OOM.name}", f"id: {name}"))
    (folder / "kubernetes" / "extra.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: [x, y]}\n"
    )
    return folder


def test_a_broken_bundle_is_a_usage_error_for_ask_replay_and_tools(tmp_path: Path) -> None:
    bundle = broken_copy(tmp_path, "broken")
    expected = f"{bundle / 'kubernetes' / 'extra.yaml'}:line 1: 'metadata.namespace' must be"
    usage_error(run("ask", "q", "--incident", str(bundle)), "--incident", expected)
    usage_error(run("tools", "run", "kubernetes_list", "--incident", str(bundle)), expected)
    usage_error(run("replay", str(bundle), "--once"), expected)


def test_eval_scores_every_loadable_incident_and_lists_the_broken_one(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    shutil.copytree(OOM, suite / OOM.name)
    shutil.copytree(INCIDENTS / "crashloop-config-error", suite / "crashloop-config-error")
    broken_copy(suite, "a-broken-one")
    out = tmp_path / "results.json"
    result = run("eval", "--suite", str(suite), "--json", str(out))
    assert result.exit_code == 1
    assert "2/3 passed (1 could not be run)" in flat(result.stdout)
    assert "ERROR" in result.stdout
    results = {r["incident"]: r for r in json.loads(out.read_text())}
    assert results[OOM.name]["passed"] and results["crashloop-config-error"]["passed"]
    assert "'metadata.namespace' must be a string" in results["a-broken-one"]["error"]


def test_eval_of_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = run("eval", "--suite", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope'}: no such suite folder" in flat(result.stdout)


def test_eval_json_into_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    out = tmp_path / "nope" / "results.json"
    usage_error(run("eval", "--suite", str(OOM), "--json", str(out)), f"no folder {out.parent}")
    result = run("eval", "--suite", str(OOM), "--json", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path}: cannot be written" in flat(result.stdout)


# --- runbooks ---


def test_a_runbook_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"id: x\ntitle: caf\xe9\n")
    result = run("runbooks", "check", "--runbooks", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.yaml'}: not UTF-8 (byte 16)" in flat(result.output)


# --- tools run ---


def test_a_tool_argument_with_bytes_that_are_not_utf8() -> None:
    result = run(
        "tools",
        "run",
        "prometheus_query",
        "query=up\udcff",
        "--incident",
        str(INCIDENTS / "gpu-xid-79-node-3"),
    )
    assert result.exit_code == 1  # the query is refused by Prometheus, not by an exception
    assert "the argument 'query=up\ufffd' had bytes that are not UTF-8" in flat(result.stderr)
    assert "prometheus rejected the query" in result.stdout


def test_text_that_looks_like_rich_markup_is_printed_as_is() -> None:
    result = run("ask", "why does [/x] the [bold]worker restart?", "--incident", str(OOM))
    assert result.exit_code == 0, result.output
    assert "why does [/x] the [bold]worker restart?" in flat(result.stderr)
