"""What a container's exit code usually means (reference/kubernetes.md, section b)."""

from __future__ import annotations

EXIT_CODES = {
    0: "success",
    1: "generic application error (check the logs)",
    2: "misuse of a shell builtin / CLI usage error",
    126: "command found but not executable (permissions)",
    127: "command not found (bad entrypoint or command, missing binary)",
    128: "runtime could not start the process (StartError)",
    130: "SIGINT (2): interrupted",
    134: "SIGABRT (6): abort, assertion, some CUDA/NCCL aborts",
    137: "SIGKILL (9): OOM kill (reason OOMKilled) or killed after the grace period / liveness "
    "failure",
    139: "SIGSEGV (11): segmentation fault",
    143: "SIGTERM (15): graceful stop (deletion, eviction, preemption, rolling update)",
    255: "exit(-1) or out-of-range exit status",
}


def exit_meaning(code: int | None) -> str:
    """What an exit code usually means."""
    if code is None:
        return "unknown"
    if code in EXIT_CODES:
        return EXIT_CODES[code]
    if 128 < code < 160:
        return f"killed by signal {code - 128}"
    return "application-defined exit status (check the logs)"
