"""CEL functions for the pods runbooks (listed in `FUNCTIONS`); pure functions.

Over the `kubernetes_describe` data of pods and their containers (the `pods` and `containers`
variables): which termination explains a container (`failure`), what its exit code means, the
workload that owns a pod (`owner`), the env entries a log line names (`env_named`), the probe
events of a container (`probe_events`), the keys of a map (`keys`), and a likely intended
command for a missing executable (`similar_command`).
"""

from __future__ import annotations

import re
from typing import Any

from holmes.tools.facts.exit_codes import exit_meaning as _exit_meaning
from holmes.tools.facts.owners import OwnerRef, owner_refs

# Executables containers usually call; a missing one a letter away from these is likely a typo.
_COMMON_COMMANDS = [
    "sh",
    "bash",
    "ash",
    "zsh",
    "python",
    "python3",
    "pip",
    "node",
    "npm",
    "npx",
    "java",
    "go",
    "curl",
    "wget",
    "cat",
    "echo",
    "ls",
    "cp",
    "mv",
    "rm",
    "mkdir",
    "chmod",
    "chown",
    "env",
    "sleep",
    "tar",
    "gzip",
    "unzip",
    "grep",
    "sed",
    "awk",
    "find",
    "git",
    "kubectl",
    "helm",
    "jq",
    "yq",
    "nginx",
    "redis-server",
    "psql",
    "mysql",
    "uvicorn",
    "gunicorn",
    "torchrun",
    "accelerate",
    "deepspeed",
    "nvidia-smi",
    "tritonserver",
    "vllm",
    "ollama",
]


def failure(container: Any) -> dict[str, Any]:
    """The termination that explains a container: the current one, else the last one.

    `{reason, exit_code, meaning, message, finished, current}`; every value None (and
    meaning "") when the container never terminated.
    """
    container = container if isinstance(container, dict) else {}
    terminated = (container.get("state") or {}).get("terminated") or {}
    if terminated:
        reason, code = terminated.get("reason"), terminated.get("exitCode")
        message, finished = terminated.get("message"), terminated.get("finishedAt")
    else:
        reason, code = container.get("last_reason"), container.get("last_exit_code")
        message, finished = container.get("last_message"), container.get("last_finished")
    return {
        "reason": reason,
        "exit_code": code,
        "meaning": exit_meaning(code) if code is not None else "",
        "message": message,
        "finished": finished,
        "current": bool(terminated),
    }


def exit_meaning(code: Any) -> str:
    """What an exit code usually means (reference/kubernetes.md, section b)."""
    try:
        return _exit_meaning(int(code))
    except (TypeError, ValueError):
        return "unknown"


def owner(pod: Any) -> dict[str, Any]:
    """The top controller of a pod from its owner chain: `{kind, namespace, name, ref, summary}`.

    `ref` is what kubectl takes (`deployment/x`); a bare pod is its own owner.
    """
    pod = pod if isinstance(pod, dict) else {}
    chain = owner_refs(pod)
    if chain:
        return _owner_fields(chain[-1], pod)
    namespace = pod.get("namespace") or ""
    name = pod.get("pod") or str(pod.get("name") or "").rsplit("/", 1)[-1]
    ref = f"pod/{name}"
    return {"kind": "Pod", "namespace": namespace, "name": name, "ref": ref, "summary": ""}


def _owner_fields(found: OwnerRef, pod: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": found.kind,
        "namespace": found.namespace or pod.get("namespace") or "",
        "name": found.name,
        "ref": found.ref,
        "summary": found.problem or found.summary,
    }


def owners_of_kind(pod: Any, kind: str) -> list[dict[str, Any]]:
    """Every owner of `kind` in a pod's chain (e.g. its ReplicaSet), as `owner` gives them."""
    pod = pod if isinstance(pod, dict) else {}
    wanted = str(kind).lower()
    return [_owner_fields(o, pod) for o in owner_refs(pod) if o.kind.lower() == wanted]


def env_text(env: Any) -> str:
    """An env entry as a person reads it: `NAME=value` or `NAME from Secret s key k`."""
    env = env if isinstance(env, dict) else {}
    source = env.get("source") or {}
    if source.get("kind") in ("ConfigMap", "Secret"):
        optional = " (optional)" if source.get("optional") else ""
        return (
            f"{env.get('name')} from {source['kind']} {source.get('name')} key "
            f"{source.get('key')}{optional}"
        )
    if source:
        return f"{env.get('name')} from {source.get('kind')} {source.get('name')}"
    return f"{env.get('name')}={env.get('value') if env.get('value') is not None else ''}"


def env_named(container: Any, text: Any) -> list[str]:
    """The container's env entries that `text` names: by name, or by a quoted literal value.

    `ValueError: invalid literal for int() with base 10: 'auto'` names `NUM_WORKERS=auto`;
    `KeyError: 'DEPLOY_ENV'` names DEPLOY_ENV if the container sets it.
    """
    container = container if isinstance(container, dict) else {}
    text = str(text or "")
    found = []
    for env in container.get("env") or []:
        name, value = str(env.get("name") or ""), env.get("value")
        by_name = bool(name) and re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text)
        by_value = (
            isinstance(value, str)
            and len(value) >= 2
            and any(f"{quote}{value}{quote}" in text for quote in ("'", '"', "`"))
        )
        if by_name or by_value:
            found.append(env_text(env))
    return found


def env_refs(container: Any, kind: str = "", name: str = "") -> list[dict[str, Any]]:
    """The env entries that read a ConfigMap or Secret (of `kind`/`name` when given)."""
    container = container if isinstance(container, dict) else {}
    found = []
    for env in container.get("env") or []:
        source = env.get("source") or {}
        if source.get("kind") not in ("ConfigMap", "Secret"):
            continue
        if kind and source["kind"].lower() != str(kind).lower():
            continue
        if name and source.get("name") != name:
            continue
        found.append({**env, "text": env_text(env)})
    return found


def probe_events(pod: Any, container: str, kind: str) -> dict[str, Any]:
    """The `kind` (liveness/readiness/startup) probe events of a container in a pod's events.

    `{failures, message, kills}`: how many times the probe failed (event counts), the last
    failure message, and how many times the kubelet killed the container for that probe.
    """
    pod = pod if isinstance(pod, dict) else {}
    probe = str(kind).lower()
    failures, kills, message = 0, 0, ""
    for event in pod.get("events") or []:
        path = str(event.get("field_path") or "")
        if container and path and f"{{{container}}}" not in path:
            continue
        text = str(event.get("message") or "")
        count = int(event.get("count") or 1)
        if event.get("reason") == "Unhealthy" and text.lower().startswith(f"{probe} probe"):
            failures += count
            message = message or text
        if event.get("reason") == "Killing" and f"failed {probe} probe" in text.lower():
            kills += count
    return {"failures": failures, "message": message, "kills": kills}


def keys(mapping: Any) -> list[str]:
    """The keys of a map, sorted as `kubectl describe` lists them ([] for anything else): a map
    that went through CEL keeps no order, so the answer would change from run to run."""
    return sorted(str(key) for key in mapping) if isinstance(mapping, dict) else []


def similar_command(name: Any) -> str:
    """A common executable one edit away from `name` (a typo's likely intent), or ""."""
    wanted = str(name or "").rsplit("/", 1)[-1]
    if not wanted or wanted in _COMMON_COMMANDS:
        return ""
    for command in _COMMON_COMMANDS:
        if _one_edit(wanted, command):
            return command
    return ""


def _one_edit(a: str, b: str) -> bool:
    """Whether two words differ by one insertion, deletion, substitution or transposition."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def event_message(pod: Any, reason: str) -> str:
    """The message of the first event of `reason` in a pod's events (`kubernetes_describe`
    data), or "" when it has none."""
    for event in (pod.get("events") if isinstance(pod, dict) else None) or []:
        if isinstance(event, dict) and event.get("reason") == reason:
            return str(event.get("message") or "")
    return ""


def pod_states(pods: Any) -> str:
    """Pods (`{name, status}`, as a node's pods are listed) as `a Running, b Terminating`."""
    return ", ".join(
        f"{pod.get('name')} {pod.get('status')}" for pod in pods or [] if isinstance(pod, dict)
    )


def multi_attach_events(pod: Any) -> list[dict[str, Any]]:
    """A pod's FailedAttachVolume events that report a Multi-Attach error (a ReadWriteOnce
    volume still attached to another node)."""
    return [
        event
        for event in (pod.get("events") if isinstance(pod, dict) else None) or []
        if isinstance(event, dict)
        and event.get("reason") == "FailedAttachVolume"
        and "Multi-Attach" in str(event.get("message") or "")
    ]


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.multi_attach_events": multi_attach_events,
    "k8s.pod_states": pod_states,
    "k8s.event_message": event_message,
    "k8s.failure": failure,
    "k8s.exit_meaning": exit_meaning,
    "k8s.owner": owner,
    "k8s.owners_of_kind": owners_of_kind,
    "k8s.env_text": env_text,
    "k8s.env_named": env_named,
    "k8s.env_refs": env_refs,
    "k8s.probe_events": probe_events,
    "keys": keys,
    "k8s.similar_command": similar_command,
}
