"""The dependency a failing log line names: the host a client could not reach.

A Job or a crash-looping container often dies because something it calls is down:
`connection refused` to `postgres.data.svc:5432`, `dial tcp: lookup feature-db on
10.96.0.10:53: no such host`, `Failed to connect to redis-online port 6379`. `log_dependency`
finds the first such line and returns the in-cluster name it names (`{name, namespace,
port, host, line}`, the namespace empty when the name is short), so a finding can name that Service
as the next subject of a causal chain. Registered as the CEL function `log_dependency`; pure.
"""

from __future__ import annotations

import re
from typing import Any

# A line that says a connection to something failed.
_FAILED = re.compile(
    r"connection refused|econnrefused|could not connect|couldn'?t connect|failed to connect|"
    r"unable to connect|connect(ion)? timed? ?out|i/o timeout|no such host|no route to host|"
    r"name or service not known|temporary failure in name resolution|connection reset|"
    r"server selection timed out|unreachable|deadline exceeded|unavailable",
    re.IGNORECASE,
)
# host:port, `host "x"`, `to x port n`, `lookup x`; the host is a DNS name, not an IP.
_HOSTS = (
    re.compile(r"\blookup ([a-z0-9][a-z0-9.-]*[a-z0-9])", re.IGNORECASE),
    re.compile(r"host[= ][\"']?([a-z0-9][a-z0-9.-]*[a-z0-9])[\"']?", re.IGNORECASE),
    re.compile(r"\bto ([a-z0-9][a-z0-9.-]*[a-z0-9]) port (\d+)", re.IGNORECASE),
    re.compile(r"\bserver at [\"']?([a-z][a-z0-9.-]*[a-z0-9])[\"']?", re.IGNORECASE),
    re.compile(r"(?<![\w.-])([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*):(\d{2,5})\b", re.IGNORECASE),
)
_NOT_HOSTS = {"localhost", "http", "https", "tcp", "udp", "dial", "error", "port", "kube-dns"}


def log_dependency(text: Any) -> dict[str, Any]:
    """The in-cluster dependency the first connection-failure line of `text` names, or {}."""
    for line in str(text or "").splitlines():
        if not _FAILED.search(line):
            continue
        for pattern in _HOSTS:
            for found in pattern.finditer(line):
                named = _service(found[1])
                if named:
                    port = found[2] if found.lastindex and found.lastindex >= 2 else ""
                    port = port or _port_after(line, found.end())
                    host = found[1] + (f":{port}" if port else "")
                    return {**named, "port": port, "host": host, "line": line.strip()[:300]}
    return {}


def _port_after(line: str, at: int) -> str:
    """`port=8080` right after the host (urllib3's `HTTPConnectionPool(host=..., port=...)`)."""
    found = re.match(r"[\"']?,?\s*(?:\([\d.]+\),\s*)?port[= ](\d+)", line[at:])
    return found[1] if found else ""


def _service(host: str) -> dict[str, str]:
    """`name`, `name.ns`, `name.ns.svc[.cluster.local]` -> name and namespace; {} for an IP,
    an external domain or a word that is not a host."""
    host = host.lower().rstrip(".")
    if re.fullmatch(r"[\d.]+", host) or host in _NOT_HOSTS:
        return {}
    parts = host.split(".")
    if len(parts) == 1:
        return {"name": parts[0], "namespace": ""}
    if len(parts) == 2 or parts[2] == "svc":
        return {"name": parts[0], "namespace": parts[1]}
    return {}


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "log_dependency": log_dependency,
}
