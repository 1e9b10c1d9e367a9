"""Redaction by value: credentials in free text, command lines, argument lists, env values
under any name and binaryData are masked; the ordinary values that look a little like them
(images, digests, UIDs, GPU UUIDs, pod hashes, IPs, timestamps) are not. Masks are stable.

Fake credentials are assembled at run time so that secret scanners do not flag this file.
"""

from __future__ import annotations

import json
import re

import pytest

from holmes.tools.redaction import mask, redact, redact_data
from holmes.tools.redaction.values import (
    is_user_password_pair,
    looks_high_entropy,
    looks_like_credential,
)

PW = "Zx9!kq" + "2Lm"
MASKED = re.compile(r"\[REDACTED[^\]]*:[0-9a-f]{6}\]")

# (text, the secret in it): each must be masked, and the text around it kept.
IN_TEXT = [
    (f"mysql login failed with password {PW} for user root", PW),
    (f"login failed: password was {PW}.", PW),
    (f"Back-off restarting: mysql -uroot -p{PW} --host db", PW),
    ("mysqldump -h db -u root -pHunter" + "22x app", "Hunter" + "22x"),
    ("PGPASSWORD=pg-S3c" + "ret-9 psql -h db", "pg-S3c" + "ret-9"),
    (f"psql --password={PW} -h db", PW),
    ("run --password Hunt" + "er2x --verbose", "Hunt" + "er2x"),
    ("postgres://app:s3cr" + "3tPW@db:5432/orders", "s3cr" + "3tPW"),
    ("GET /api?token=abc1" + "23def456&page=2", "abc1" + "23def456"),
    ("GET /v1/models?api_key=AbCd1234" + "EfGh5678 HTTP/1.1", "AbCd1234" + "EfGh5678"),
    ("https://x/cb?access_token=ya29.A0A" + "Rrd-xyz123&state=1", "ya29.A0A" + "Rrd-xyz123"),
    ("Authorization: Bearer abc.def-g" + "hi_123456", "abc.def-g" + "hi_123456"),
    ("Authorization: Basic dXNlcjpw" + "YXNzd29yZA==", "dXNlcjpw" + "YXNzd29yZA=="),
    ("args:\n- --db-host\n- db\n- --password\n- S3cr3t" + "Arg9\n", "S3cr3t" + "Arg9"),
    ('["--password", "S3cr3t' + 'Arg9", "--user", "bob"]', "S3cr3t" + "Arg9"),
    ("env:\n- name: MY_CREDS\n  value: svc:Zq8" + "mP2vX\n", "svc:Zq8" + "mP2vX"),
    (
        '{"name": "UPSTREAM", "value": "dXNlcjpwYXNz' + 'd29yZDEyMw9xQ"}',
        "dXNlcjpwYXNz" + "d29yZDEyMw9xQ",
    ),
    ("- name: BLOB\n  value: Xk9mQ2wZ" + "7rT4pL8vN3bY\n", "Xk9mQ2wZ" + "7rT4pL8vN3bY"),
    ("export MY_CREDS=svc:Zq8" + "mP2vX && ./run", "svc:Zq8" + "mP2vX"),
    ('sh -c "UPSTREAM=Xk9mQ2wZ' + '7rT4pL8vN3bY exec app"', "Xk9mQ2wZ" + "7rT4pL8vN3bY"),
]

# Ordinary evidence that must pass through unchanged.
ORDINARY = [
    "mkdir -p /tmp/x && gcc -pthread -pedantic -O2 -o app && docker run -p8080:80 nginx",
    "image registry.example.com/inference/llm-gateway:2.3.1 "
    "sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904f1e2d3c4b5a69788fbee4904",
    "pod llm-gateway-7c9d8f6b54-q2w4n uid 3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b rv 123456",
    "at 2026-03-18T14:32:00Z from 10.0.3.7:8443 to [fd00::1]:53",
    "GPU 2 (GPU-8a1f3c2e-1b2c-4d5e-8f90-123456789abc) on gpu-node-3 reported XID 79",
    "the password is wrong; password reset link sent; password for user alice expired",
    "- name: IMAGE\n  value: nvcr.io/nvidia/pytorch:24.01-py3\n"
    "- name: MODEL\n  value: meta-llama/Llama-3.1-8B-Instruct\n"
    "- name: REDIS\n  value: redis-online.recsys.svc.cluster.local:6379,db=0\n"
    "- name: GPU_UUID\n  value: GPU-8a1f3c2e-1b2c-4d5e-8f90-123456789abc\n"
    "- name: ROLE\n  value: app:frontend\n- name: LEVEL\n  value: info\n",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 containerd://6a77fa12ed1551b18a80ebd87",
    '["--config", "/etc/gateway/config.yaml", "--port", "8000", "--token-file", "/var/run/t"]',
    "IMAGE=nginx:1.25-alpine REDIS=redis:6379 MODEL=meta-llama/Llama-3.1-8B-Instruct",
    "TRACE_ID=4bf92f3577b34da6a3ce929d0e0e4736 REQUEST_ID=01HQ3K4N5P6R7S8T9V0W1X2Y3Z",
]

CREDENTIAL_VALUES = [
    "svc:Zq8" + "mP2vX",
    "admin:hunter" + "22",
    "dXNlcjpwYXNz" + "d29yZDEyMw9xQ",
    "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
    "Xk9mQ2wZ" + "7rT4pL8vN3bY",
]
ORDINARY_VALUES = [
    "nginx:1.25-alpine",
    "redis:6379",
    "app:frontend",
    "sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b",
    "GPU-8a1f3c2e-1b2c-4d5e-8f90-123456789abc",
    "llm-gateway-7c9d8f6b54-q2w4n",
    "2026-03-18T14:32:00Z",
    "10.244.2.17",
    "123456789",
    "meta-llama/Llama-3.1-8B-Instruct",
    "nvcr.io/nvidia/pytorch:24.01-py3",
    "http://vllm-llama.serving.svc:8000/v1",
    "ClusterFirstWithHostNet",
    "",
]


@pytest.mark.parametrize(("text", "secret"), IN_TEXT)
def test_a_credential_in_text_is_masked_and_its_context_kept(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert mask(secret) in redacted or mask(secret).split(":")[-1] in redacted
    assert MASKED.sub("", redacted) == text.replace(secret, "")


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_values_pass_through(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize("value", CREDENTIAL_VALUES)
def test_credential_values(value: str) -> None:
    assert looks_like_credential(value)


@pytest.mark.parametrize("value", ORDINARY_VALUES)
def test_ordinary_values_are_not_credentials(value: str) -> None:
    assert not looks_like_credential(value)
    assert not is_user_password_pair(value) and not looks_high_entropy(value)


def test_the_same_secret_gets_the_same_mask_and_another_secret_another() -> None:
    first = redact(f"password={PW} then --password {PW}")
    second = redact(f"mysql -uroot -p{PW}")
    ids = MASKED.findall(first) + MASKED.findall(second)
    assert len(ids) == 3 and len(set(ids)) == 1 and ids[0] == mask(PW)
    assert mask(PW) != mask(PW + "x")
    assert redact(first) == first  # idempotent


def test_env_values_under_any_name_in_data() -> None:
    env = [
        {"name": "MY_CREDS", "value": "svc:Zq8" + "mP2vX"},
        {"name": "BLOB", "value": "Xk9mQ2wZ" + "7rT4pL8vN3bY"},
        {"name": "IMAGE", "value": "nginx:1.25-alpine"},
        {"name": "GPU", "value": "GPU-8a1f3c2e-1b2c-4d5e-8f90-123456789abc"},
    ]
    redacted = redact_data(env)
    assert [e["value"] for e in redacted[2:]] == [e["value"] for e in env[2:]]
    assert redacted[0]["value"] == mask(env[0]["value"])
    assert redacted[1]["value"] == mask(env[1]["value"])


def test_argument_lists_in_data() -> None:
    args = [
        "--config",
        "/etc/x.yaml",
        "--password",
        "Hunt" + "er2x",
        "--api-token",
        "t0k" + "en123",
    ]
    args += ["--token-file", "/var/run/token", "--port", "8000"]
    redacted = redact_data({"command": ["mysql", "-uroot", "-pHunter" + "22x"], "args": args})
    assert redacted["command"] == ["mysql", "-uroot", "-p" + mask("Hunter" + "22x")]
    assert redacted["args"][3] == mask("Hunt" + "er2x") and redacted["args"][5] == mask(
        "t0k" + "en123"
    )
    assert redacted["args"][:3] == args[:3] and redacted["args"][6:] == args[6:]


def test_binary_data_is_masked_in_data_yaml_and_json() -> None:
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "app"},
        "data": {"level": "info"},
        "binaryData": {"keystore.jks": "S2V5c3RvcmU=", "empty": ""},
    }
    assert redact_data(configmap)["binaryData"] == {
        "keystore.jks": mask("S2V5c3RvcmU="),
        "empty": "",
    }
    assert redact_data(configmap)["data"] == {"level": "info"}
    as_yaml = "kind: ConfigMap\nbinaryData:\n  keystore.jks: S2V5c3RvcmU=\ndata:\n  level: info\n"
    assert redact(as_yaml) == as_yaml.replace("S2V5c3RvcmU=", mask("S2V5c3RvcmU="))
    as_json = json.dumps(configmap)
    assert "S2V5c3RvcmU=" not in redact(as_json) and '"level": "info"' in redact(as_json)
