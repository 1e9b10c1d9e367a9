"""Redaction at the tool boundary: each secret shape is masked with its name kept, and each
near-miss (evidence that merely looks like a secret) passes through unchanged.

Fake credentials are assembled at run time so that secret scanners do not flag this file.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import SourceEndpoints, ToolContext
from holmes.tools.redaction import MASK
from holmes.tools.redaction import redact as _redact
from holmes.tools.redaction import redact_data as _redact_data
from holmes.tools.redaction.anchors import KEY_ENDING
from holmes.tools.redaction.keys import is_secret_key
from holmes.tools.registry import ToolRegistry
from tests.conftest import INCIDENTS, PEER_SUITE

R = MASK
_MASK_ID = re.compile(r"(\[REDACTED[^\]:]*):[0-9a-f]{6}\]")


def plain(value):
    """A redacted text or structure with the masks' stable ids left out, to compare shapes."""
    if isinstance(value, str):
        return _MASK_ID.sub(r"\1]", value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def redact(text: str) -> str:
    return plain(_redact(text))


def redact_data(data):
    return plain(_redact_data(data))


GITHUB = "ghp_" + "a1B2c3D4e5" * 4
GITHUB_PAT = "github_pat_" + "11ABCDEFG0" * 3 + "_" + "xYz9" * 10
SLACK = "xoxb-" + "123456789012-1234567890123-" + "AbCdEfGh" * 3
SLACK_APP = "xapp-1-" + "A0123456789-1234567890123-" + "abcdef0123" * 3
OPENAI = "sk-proj-" + "Ab3_De6-Gh9" * 6
OPENAI_LEGACY = "sk-" + "T3BlbkFJ" * 6
ANTHROPIC = "sk-ant-api03-" + "Xy7_Zw3-Qa9" * 8
HF = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz" + "01234567"
STRIPE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
STRIPE_RESTRICTED = "rk_" + "live_" + "51H8xYzAbC0123456789"
GOOGLE = "AIza" + "SyD-" + "9tSrke72PouQMnMX7g" + "Xsqw4aRzFvx0Q"
NGC = "nvapi-" + "Qx3_Lm8-Pt5Rw2" * 4
GITLAB = "glpat-" + "Xy3zAb7cDe9fGh1iJk2L"
NPM = "npm_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hI6"
JWT = (
    "eyJhbGciOiJIUzI1NiJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
AWS_ID = "AKIA" + "IOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
PEM_BODY = "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2Tx\nabcdEFGHijklMNOPqrstUVWXyz0123456789+/==\n"


def pem(label: str, body: str = PEM_BODY) -> str:
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----"


def masked_pem(label: str) -> str:
    return f"-----BEGIN {label}----- {R} -----END {label}-----"


# (text, expected): at least one case per secret shape, each keeping what names the secret.
SECRETS = [
    # Authorization headers and schemes
    ("Authorization: Bearer abcdefghijklmnop1234", f"Authorization: Bearer {R}"),
    (
        f'GET /v1/models headers={{"authorization": "Bearer {JWT}"}}',
        f'GET /v1/models headers={{"authorization": "Bearer {R}"}}',
    ),
    (
        "curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA==' http://api",
        f"curl -H 'Authorization: Basic {R}' http://api",
    ),
    ("Proxy-Authorization: Basic dXNlcjpwYXNz", f"Proxy-Authorization: Basic {R}"),
    ("Authorization: token ghs_abc123def456", f"Authorization: token {R}"),
    ("retrying with bearer abcDEF123456789 after 401", f"retrying with bearer {R} after 401"),
    (
        "headers map[Authorization:[Bearer abc123def456]]",
        f"headers map[Authorization:[Bearer {R}]]",
    ),
    # JWTs
    (f"id_token={JWT}", f"id_token={R}"),
    (f"decoded session {JWT} for alice", "decoded session [REDACTED jwt] for alice"),
    # passwords in URLs: scheme, user and host kept
    (
        "connecting to postgres://app:s3cr3t@db.internal:5432/orders",
        f"connecting to postgres://app:{R}@db.internal:5432/orders",
    ),
    (
        "mongodb+srv://admin:p@ss@cluster0.abc.mongodb.net/test?retryWrites=true",
        f"mongodb+srv://admin:{R}@cluster0.abc.mongodb.net/test?retryWrites=true",
    ),
    (
        "REDIS_URL=redis://:hunter2@redis-master:6379/0",
        f"REDIS_URL=redis://:{R}@redis-master:6379/0",
    ),
    (
        "https://user:pa55word@git.example.com/org/repo.git",
        f"https://user:{R}@git.example.com/org/repo.git",
    ),
    ("amqp://guest:guest@rabbitmq.shop.svc:5672/", f"amqp://guest:{R}@rabbitmq.shop.svc:5672/"),
    # key=value, key: value, JSON, env, CLI flags
    ("login failed password=hunter2 user=bob", f"login failed password={R} user=bob"),
    (
        "2026-01-01 login failed (password=hunter2) for bob",
        f"2026-01-01 login failed (password={R}) for bob",
    ),
    ("passwd=s3cret pwd=abc123", f"passwd={R} pwd={R}"),
    ("DB_PASSWORD=hunter2", f"DB_PASSWORD={R}"),
    ("export POSTGRES_PASSWORD='hunter 2'", f"export POSTGRES_PASSWORD='{R}'"),
    ('{"password": "hunter2", "user": "bob"}', f'{{"password": "{R}", "user": "bob"}}'),
    (
        '{\\"password\\":\\"hunter2\\",\\"user\\":\\"bob\\"}',
        f'{{\\"password\\":\\"{R}\\",\\"user\\":\\"bob\\"}}',
    ),
    ("{'client_secret': 'abcDEF123456'}", f"{{'client_secret': '{R}'}}"),
    ("  client_secret: abcDEF123456", f"  client_secret: {R}"),
    ("secret=topsecretvalue", f"secret={R}"),
    ("http_auth=admin:s3cret99", f"http_auth={R}"),
    ("token=abc123def456", f"token={R}"),
    ("GET /reset?token=abc123def&user=bob HTTP/1.1", f"GET /reset?token={R}&user=bob HTTP/1.1"),
    ("api_key=0123456789abcdef", f"api_key={R}"),
    ("apikey: 'abc'", f"apikey: '{R}'"),
    ("X-API-Key: 5f2b9c0e1d", f"X-API-Key: {R}"),
    ("access_key: AbC123xYz", f"access_key: {R}"),
    ("WANDB_API_KEY=0123456789abcdef0123456789abcdef01234567", f"WANDB_API_KEY={R}"),
    ("clientSecret: c2VjcmV0", f"clientSecret: {R}"),
    ("X-Amz-Security-Token: FwoGZXIvYXdzEJr//////////wEaDH", f"X-Amz-Security-Token: {R}"),
    ("map[password:hunter2 user:bob]", f"map[password:{R} user:bob]"),
    ("auth: {password: hunter2}", f"auth: {{password: {R}}}"),
    ("Cookie: session=abc123; theme=dark", f"Cookie: {R}"),
    (
        "kubectl create secret generic db --from-literal=password=hunter2",
        f"kubectl create secret generic db --from-literal=password={R}",
    ),
    (
        "app --password=hunter2 --token abcd1234 --verbose",
        f"app --password={R} --token {R} --verbose",
    ),
    ('vault login --token "s.abc123" -method=token', f'vault login --token "{R}" -method=token'),
    ("curl -u admin:s3cr3t https://registry/v2/", f"curl -u admin:{R} https://registry/v2/"),
    ("ALTER USER bob WITH PASSWORD 'hunter2';", f"ALTER USER bob WITH PASSWORD '{R}';"),
    # Kubernetes env entries, in YAML block and flow form and JSON
    (
        "- name: DB_PASSWORD\n  value: hunter2\n- name: DB_HOST\n  value: db",
        f"- name: DB_PASSWORD\n  value: {R}\n- name: DB_HOST\n  value: db",
    ),
    ("env: [{name: API_TOKEN, value: abc123def}]", f"env: [{{name: API_TOKEN, value: {R}}}]"),
    (
        '[{"name": "HF_TOKEN", "value": "abc"}, {"name": "LOG", "value": "info"}]',
        f'[{{"name": "HF_TOKEN", "value": "{R}"}}, {{"name": "LOG", "value": "info"}}]',
    ),
    ("      DB_PASSWORD:  hunter2", f"      DB_PASSWORD:  {R}"),
    # AWS
    (f"export AWS_ACCESS_KEY_ID={AWS_ID}", "export AWS_ACCESS_KEY_ID=[REDACTED aws access key id]"),
    (f"using key {AWS_ID} in us-east-1", "using key [REDACTED aws access key id] in us-east-1"),
    (f"aws_secret_access_key = {AWS_SECRET}", f"aws_secret_access_key = {R}"),
    (f"aws_secret_access_key     {AWS_SECRET}", f"aws_secret_access_key     {R}"),
    (f'"AWS_SECRET_ACCESS_KEY": "{AWS_SECRET}"', f'"AWS_SECRET_ACCESS_KEY": "{R}"'),
    # PEM private keys: the whole block, multi-line, every label; also cut before its end
    (pem("RSA PRIVATE KEY") + "\nnext line", masked_pem("RSA PRIVATE KEY") + "\nnext line"),
    (pem("EC PRIVATE KEY"), masked_pem("EC PRIVATE KEY")),
    (pem("OPENSSH PRIVATE KEY"), masked_pem("OPENSSH PRIVATE KEY")),
    (pem("PRIVATE KEY"), masked_pem("PRIVATE KEY")),
    (pem("ENCRYPTED PRIVATE KEY"), masked_pem("ENCRYPTED PRIVATE KEY")),
    (
        "tls.key: |\n  " + pem("RSA PRIVATE KEY", PEM_BODY.replace("\n", "\n  ")),
        "tls.key: |\n  " + masked_pem("RSA PRIVATE KEY"),
    ),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2Tx\nTraceback (most",
        masked_pem("RSA PRIVATE KEY") + "\nTraceback (most",
    ),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2Tx\n... [cut]",
        masked_pem("RSA PRIVATE KEY") + "\n... [cut]",
    ),
    # GCP service account JSON
    (
        '{"type": "service_account", "private_key_id": "1234abcd5678ef90", "private_key": "'
        + pem("PRIVATE KEY").replace("\n", "\\n")
        + '\\n", "client_email": "trainer@proj.iam.gserviceaccount.com"}',
        f'{{"type": "service_account", "private_key_id": "{R}", "private_key": "{R}", '
        '"client_email": "trainer@proj.iam.gserviceaccount.com"}',
    ),
    # tokens by shape
    (f"cloning with {GITHUB}", "cloning with [REDACTED github token]"),
    (f"GH_TOKEN={GITHUB_PAT}", f"GH_TOKEN={R}"),
    (f"token {GITHUB_PAT} expired", "token [REDACTED github token] expired"),
    (f"gitlab {GITLAB}", "gitlab [REDACTED gitlab token]"),
    (f"slack client {SLACK}", "slack client [REDACTED slack token]"),
    (f"socket mode {SLACK_APP}", "socket mode [REDACTED slack token]"),
    (
        "POST https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX 200",
        f"POST https://hooks.slack.com/services/{R} 200",
    ),
    (
        "https://discord.com/api/webhooks/123456/abcDEF-123_xyz",
        f"https://discord.com/api/webhooks/123456/{R}",
    ),
    (f"openai client key {OPENAI}", "openai client key [REDACTED api key]"),
    (f"legacy {OPENAI_LEGACY}", "legacy [REDACTED api key]"),
    (f"anthropic {ANTHROPIC}", "anthropic [REDACTED api key]"),
    (f"huggingface-cli login {HF}", "huggingface-cli login [REDACTED huggingface token]"),
    (f"stripe {STRIPE} {STRIPE_RESTRICTED}", "stripe [REDACTED stripe key] [REDACTED stripe key]"),
    (f"maps {GOOGLE}", "maps [REDACTED google api key]"),
    (f"ngc {NGC}", "ngc [REDACTED ngc api key]"),
    (f"npm {NPM}", "npm [REDACTED npm token]"),
    # connection strings
    (
        "Protocol=https;AccountName=acct;AccountKey=abc123+/def==;EndpointSuffix=core.windows.net",
        f"Protocol=https;AccountName=acct;AccountKey={R};EndpointSuffix=core.windows.net",
    ),
    (
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey=Zm9vYmFy=",
        f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey={R}",
    ),
    (
        "Server=db;Database=orders;User Id=sa;Password=P@ssw0rd!;",
        f"Server=db;Database=orders;User Id=sa;Password={R};",
    ),
    ("Server=db;Uid=sa;Pwd=P@ssw0rd;", f"Server=db;Uid=sa;Pwd={R};"),
    (
        "https://acct.blob.core.windows.net/c/b?sv=2020-08-04&sig=abc%2Bdef123%3D&se=2026",
        f"https://acct.blob.core.windows.net/c/b?sv=2020-08-04&sig={R}&se=2026",
    ),
    (
        "host=db user=app password=hunter2 dbname=orders sslmode=require",
        f"host=db user=app password={R} dbname=orders sslmode=require",
    ),
    # Docker config auths and kubeconfig fields
    (
        '{"auths": {"registry.example.com": {"auth": "dXNlcjpwYXNzd29yZA=="}}}',
        f'{{"auths": {{"registry.example.com": {{"auth": "{R}"}}}}}}',
    ),
    ("    client-key-data: LS0tLS1CRUdJTiBSU0E=", f"    client-key-data: {R}"),
    ("    token: abc.def.ghi", f"    token: {R}"),
    (".dockerconfigjson: eyJhdXRocyI6e319", f".dockerconfigjson: {R}"),
]

# Evidence that resembles a secret and must pass through unchanged.
KEPT = [
    # a date format after `-u` is not `curl -u user:pass`
    "ts=$(date -u +%Y-%m-%dT%H:%M:%S)",
    "password_reset_link_sent=true",  # the last word names a flag, not a password
    "password_reset_url=https://shop.example.com/reset",
    "token_count=512",
    "max_tokens: 2048",
    '{"usage": {"prompt_tokens": 512, "completion_tokens": 128, "total_tokens": 640}}',
    "tokens/s=41550",
    "eos_token: </s>",
    "secretName: tls-cert",
    "existingSecret: db-creds",
    "secret: {secretName: tls-cert}",
    "valueFrom:\n  secretKeyRef:\n    name: hf-token\n    key: token",
    "- name: HF_TOKEN\n  valueFrom:\n    secretKeyRef: {name: hf-token, key: token}",
    "imagePullSecrets:\n- name: regcred",
    "automountServiceAccountToken: false",
    "      DB_PASSWORD:  <set to the key 'password' in secret 'db'>  Optional: false",
    "password:  8 bytes",
    "password: ${DB_PASSWORD}",
    'password: ""',
    "PWD=/app HOME=/root",
    "GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json",
    "DB_PASSWORD_FILE=/run/secrets/db",
    "docker login --password-stdin registry.io",
    "kind: Secret\nmetadata:\n  name: db-credentials\n  namespace: shop\ntype: Opaque",
    "Secret hf-token: MISSING",
    "image: nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "commit 3ce82c5a4f1b9e0d7c6a5b4c3d2e1f0a9b8c7d6e",
    "uid: 123e4567-e89b-12d3-a456-426614174000",
    "GPU-7f1c2b3a-1234-5678-9abc-def012345678 on gpu-node-3",
    "pod-template-hash: 7d9f8b6c5",
    "payment-processing-worker-7d9f-x2x on 10.0.3.7:8080",
    "app.conf: bG9nX2xldmVsPWluZm8KbWF4X2Nvbm5lY3Rpb25zPTEwMA==",
    "failed to refresh token for user alice",
    "error refreshing token: context deadline exceeded",
    "invalid token: signature is invalid",
    "error: missing Bearer token",
    'WWW-Authenticate: Bearer realm="kubernetes"',
    "Basic authentication failed for user bob",
    "authorization: denied by policy",
    "import hf_transfer; from sklearn import svm  # sk-learn",
    "task-runner-5f7d9c8b6d-abcde",
    "url=https://example.com:8443/path?x=1",
    "ssh://git@github.com/org/repo.git",
    "mysql://root:@localhost/db",
    "pass=12 fail=0",
    "auth: enabled",
    "basic_auth=true",
    'FATAL: password authentication failed for user "app"',
    "--token flag is required",
    "E0318 reflector.go:138] the server has asked for the client to provide credentials",
    "key: nvidia.com/gpu\noperator: Exists",
    "[REDACTED] and [REDACTED github token] stay as they are",
]


SECRET_KEYS = [
    "password",
    "DB_PASSWORD",
    "passwd",
    "pwd",
    "DB_PASS",
    "passphrase",
    "clientSecret",
    "client_secret",
    "token",
    "access_token",
    "X-Auth-Token",
    "identitytoken",
    "api_key",
    "apiKey",
    "x-api-key",
    "APIKey",
    "access_key",
    "aws_secret_access_key",
    "AccountKey",
    "SharedAccessKey",
    "tls.key",
    "private_key",
    "private_key_id",
    "client-key-data",
    ".dockerconfigjson",
    "auth",
    "http_auth",
    "X-Amz-Signature",
    "X-Amz-Credential",
    "credentials",
    "Cookie",
    "sig",
    "--token",
    "--password",
    "spring.datasource.password",
]
NOT_SECRET_KEYS = [
    "password_reset_url",
    "password_reset_link_sent",
    "token_count",
    "max_tokens",
    "prompt_tokens",
    "secretName",
    "secretKeyRef",
    "DB_PASSWORD_FILE",
    "eos_token",
    "pad_token",
    "next_token",
    "existingSecret",
    "key",
    "imagePullSecrets",
    "serviceAccountName",
    "automountServiceAccountToken_enabled",
    "tokenizer",
    "monkey",
    "auth_method",
    "aws_access_key_id",
    "client-certificate-data",
    "--password-stdin",
    "Authorization",
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_keys_that_name_a_secret(key: str) -> None:
    assert is_secret_key(key)
    # The anchors that pick the lines to redact in a long text know every such key's ending.
    assert re.search(KEY_ENDING + "$", key.lower())


@pytest.mark.parametrize("key", NOT_SECRET_KEYS)
def test_keys_whose_last_word_is_not_a_secret(key: str) -> None:
    assert not is_secret_key(key)


def _short(value: str) -> str:
    return value[:48]


@pytest.mark.parametrize(("text", "expected"), SECRETS, ids=_short)
def test_secret_is_masked_and_its_name_kept(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT, ids=_short)
def test_evidence_that_looks_like_a_secret_stays_intact(text: str) -> None:
    assert redact(text) == text


def test_redaction_is_idempotent() -> None:
    for text, _ in SECRETS:
        once = redact(text)
        assert redact(once) == once, text


@pytest.mark.parametrize(("text", "expected"), SECRETS, ids=_short)
def test_secret_in_a_long_text_is_found_by_its_anchor(text: str, expected: str) -> None:
    """Past 4 KB only the lines around an anchor are redacted: each shape must have one."""
    noise = "\n".join(f"I0318 14:{i % 60:02d}:00 worker.go:{i}] synced 42 items" for i in range(80))
    assert redact(f"{noise}\n{text}\n{noise}") == f"{noise}\n{expected}\n{noise}"


def test_many_secrets_in_one_log_text() -> None:
    log = "\n".join(f"2026-03-18T14:{i % 60:02d}:00Z INFO step {i} loss=1.2" for i in range(2000))
    lines = log.split("\n")
    lines[500] = f"DEBUG env DB_PASSWORD=hunter2 HF_TOKEN={HF}"
    lines[1500] = "- name: API_TOKEN"
    lines.insert(1501, "  value: abc123def")
    redacted = redact("\n".join(lines)).split("\n")
    assert redacted[500] == f"DEBUG env DB_PASSWORD={R} HF_TOKEN={R}"
    assert redacted[1500:1502] == ["- name: API_TOKEN", f"  value: {R}"]
    assert redacted[:500] == lines[:500] and redacted[1502:] == lines[1502:]


SECRET_YAML = """\
apiVersion: v1
items:
- apiVersion: v1
  data:
    password: aHVudGVyMg==
    username: YWRtaW4=
    empty: ""
    ca.crt: |
      LS0tLS1CRUdJTiBDRVJU
      LS0tLS1FTkQgQ0VSVA==
  kind: Secret
  metadata:
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: |
        {"apiVersion":"v1","data":{"password":"aHVudGVyMg=="},"kind":"Secret","metadata":{}}
    name: db
  type: Opaque
- apiVersion: v1
  data:
    app.conf: bG9nX2xldmVsPWluZm8=
  kind: ConfigMap
  metadata:
    name: app
kind: List
---
apiVersion: v1
kind: Secret
metadata:
  name: tls
stringData:
  tls.crt: plain-text-cert
type: kubernetes.io/tls
"""


def test_secret_manifest_text_masks_every_value_and_keeps_keys() -> None:
    redacted = redact(SECRET_YAML)
    assert f'    password: {R}\n    username: {R}\n    empty: ""\n' in redacted
    assert f"    ca.crt: |\n      {R}\n      {R}\n" in redacted
    assert f'{{"apiVersion":"v1","data":{{"password":"{R}"}},"kind":"Secret"' in redacted
    assert f"stringData:\n  tls.crt: {R}\n" in redacted
    assert "app.conf: bG9nX2xldmVsPWluZm8=" in redacted  # a ConfigMap is evidence
    assert "name: db\n" in redacted and "type: Opaque" in redacted
    assert redact(redacted) == redacted


def test_secret_manifest_json_text() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}}
    text = json.dumps(secret | {"data": {"password": "aHVudGVyMg==", "empty": ""}}, indent=2)
    redacted = json.loads(redact(text))
    assert redacted["data"] == {"password": R, "empty": ""}
    assert redacted["metadata"] == {"name": "db"}
    escaped = json.dumps({"log": json.dumps(secret | {"data": {"api.conf": "a2V5PXZhbA=="}})})
    assert json.loads(json.loads(redact(escaped))["log"])["data"] == {"api.conf": R}


def test_secret_object_data_is_masked_keys_and_metadata_kept() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "hf-token", "namespace": "ml", "labels": {"app": "trainer"}},
        "type": "Opaque",
        "data": {"token": "aGZfYWJj", "empty": ""},
        "stringData": {"config.yaml": "endpoint: https://hub"},
    }
    original = copy.deepcopy(secret)
    assert redact_data({"kind": "List", "items": [secret]}) == {
        "kind": "List",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "hf-token", "namespace": "ml", "labels": {"app": "trainer"}},
                "type": "Opaque",
                "data": {"token": R, "empty": ""},
                "stringData": {"config.yaml": R},
            }
        ],
    }
    assert secret == original  # the input is not changed


def test_configmap_data_stays_but_a_password_in_it_and_binary_data_do_not() -> None:
    configmap = {
        "kind": "ConfigMap",
        "data": {"app.conf": "bG9nX2xldmVsPWluZm8=", "settings": "password=hunter2 level=info"},
        "binaryData": {"model.bin": "AAECAwQ="},
    }
    assert redact_data(configmap)["data"] == {
        "app.conf": "bG9nX2xldmVsPWluZm8=",
        "settings": f"password={R} level=info",
    }
    assert redact_data(configmap)["binaryData"] == {"model.bin": R}


def test_pod_env_entries_values_and_references() -> None:
    env = [
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "token"}}},
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "OPENAI_API_KEY", "value": ""},
    ]
    pod = {"spec": {"containers": [{"name": "app", "env": env}]}}
    assert redact_data(pod)["spec"]["containers"][0]["env"] == [
        {"name": "DB_PASSWORD", "value": R},
        {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf-token", "key": "token"}}},
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "OPENAI_API_KEY", "value": ""},
    ]


def test_kubeconfig_and_service_account_json_as_data() -> None:
    kubeconfig = {
        "users": [
            {
                "name": "admin",
                "user": {
                    "client-certificate-data": "LS0tLS1CRUdJTiBDRVJU",
                    "client-key-data": "LS0tLS1CRUdJTiBSU0E=",
                    "token": "abc123",
                },
            }
        ]
    }
    user = redact_data(kubeconfig)["users"][0]["user"]
    assert user == {
        "client-certificate-data": "LS0tLS1CRUdJTiBDRVJU",
        "client-key-data": R,
        "token": R,
    }
    account = {
        "type": "service_account",
        "private_key_id": "1234abcd",
        "private_key": pem("PRIVATE KEY"),
        "client_email": "trainer@proj.iam.gserviceaccount.com",
    }
    assert redact_data(account) == account | {"private_key_id": R, "private_key": R}


def test_data_scalars_and_containers() -> None:
    data = {
        "password": 123456,
        "token": None,
        "secret": True,
        "serviceAccountToken": {"path": "token", "expirationSeconds": 3607},
        "restarts": 7,
        "items": ("Bearer abcdefghijklmnop1234", 3.5),
        "tokens_per_second": 41550.0,
    }
    assert redact_data(data) == {
        "password": R,
        "token": None,
        "secret": True,
        "serviceAccountToken": {"path": "token", "expirationSeconds": 3607},
        "restarts": 7,
        "items": [f"Bearer {R}", 3.5],
        "tokens_per_second": 41550.0,
    }


def _bundle_files() -> list[Path]:
    roots = [INCIDENTS, PEER_SUITE, Path(__file__).parent / "bundles"]
    return sorted(f for root in roots if root.is_dir() for f in root.rglob("*") if f.is_file())


def test_recorded_incidents_pass_through_unchanged() -> None:
    """Real objects, logs and flows hold no secrets: redaction must not touch any of them."""
    files = _bundle_files()
    assert files
    for path in files:
        text = path.read_text(errors="replace")
        assert redact(text) == text, path
        if path.parent.name == "kubernetes" and path.suffix == ".yaml":
            for doc in yaml.load_all(text, Loader=yaml.CSafeLoader):
                assert redact_data(doc) == doc, path


class LeakInput(BaseModel):
    pass


class Leak(Tool):
    name = "leak"
    toolset = "kubernetes"
    description = "Return evidence with secrets in it."
    Input = LeakInput

    async def run(self, args: LeakInput, ctx: ToolContext) -> ToolOutput:
        secret = {"kind": "Secret", "metadata": {"name": "db"}, "data": {"password": "aGk="}}
        text = "pod shop/api env DB_PASSWORD=hunter2\nlog: connecting to postgres://app:s3cr3t@db/o"
        return ToolOutput(data={"objects": [secret], "log": f"HF_TOKEN={HF}"}, text=text)


async def test_the_registry_redacts_text_and_data() -> None:
    result = await ToolRegistry([Leak]).invoke("leak", {}, ToolContext(SourceEndpoints()))
    assert plain(result.text) == (
        f"pod shop/api env DB_PASSWORD={R}\nlog: connecting to postgres://app:{R}@db/o"
    )
    assert plain(result.data) == {
        "objects": [{"kind": "Secret", "metadata": {"name": "db"}, "data": {"password": R}}],
        "log": f"HF_TOKEN={R}",
    }
