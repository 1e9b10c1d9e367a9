"""What a user types or points a command at, checked before anything starts.

Called by `holmes ask` and `holmes tools run`. Each check turns bad input into a usage error
(`typer.BadParameter`, exit code 2) naming the parameter, the file and the problem in one line:
a `--timeout` that is not a positive number, an `--alert` file that is not an Alertmanager
payload, a kubeconfig that is missing or not a kubeconfig, a Prometheus URL or Hubble address
that cannot be dialled. A question is normalised instead of refused: blank means "none given",
and bytes that are not UTF-8 are replaced (and the caller tells the user so).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

# `holmes.cli.options` imports this module for its option callbacks, so what is heavy (the tools
# package, the intake models, httpx) loads inside the checks: `holmes <cmd> --help` stays fast.
if TYPE_CHECKING:
    from holmes.agent.engine.intake import AlertInput

# What is printed back of a question or alert: a 100 KB question is investigated, not echoed.
ECHO_CHARS = 300
NON_UTF8_NOTE = "note: the {what} had bytes that are not UTF-8; they were replaced by U+FFFD"
_ALERT_SHAPES = (
    "give an Alertmanager webhook payload (an object with 'alerts'), "
    "one alert (an object with 'labels') or a list of alerts"
)


def timeout_seconds(value: float | None) -> float | None:
    """A `--timeout` callback: a finite number of seconds greater than 0, as `Limits` needs
    (None, not given, leaves it to the configuration)."""
    from pydantic import ValidationError

    from holmes.tools import Limits

    if value is None:
        return None
    if not math.isfinite(value):
        raise typer.BadParameter(f"must be a finite number of seconds, not {value}")
    try:
        Limits(timeout_seconds=value)
    except ValidationError as error:
        raise typer.BadParameter(
            f"must be a number of seconds greater than 0, not {value}"
        ) from error
    return value


def question_text(raw: str | None) -> tuple[str | None, bool]:
    """The question, None when blank, and whether undecodable bytes were replaced."""
    if raw is None or not raw.strip():
        return None, False
    text, replaced = utf8_text(raw)
    return text.strip(), replaced


def utf8_text(raw: str) -> tuple[str, bool]:
    """`raw` with command-line bytes that were not UTF-8 replaced by U+FFFD, and whether any were.

    Python hands such bytes over as lone surrogates, which cannot be printed, encoded into a
    URL or sent anywhere.
    """
    try:
        raw.encode("utf-8")
        return raw, False
    except UnicodeEncodeError:
        data = raw.encode("utf-8", errors="surrogateescape")
        return data.decode("utf-8", errors="replace"), True


def shortened(text: str, limit: int = ECHO_CHARS) -> str:
    """`text` cut to `limit` characters for printing back, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def read_alert_file(path: Path) -> list[AlertInput]:
    """The alerts of an `--alert` file, firing ones first; usage errors name the file."""
    from pydantic import ValidationError

    try:
        text = path.read_bytes().decode("utf-8")
        payload = json.loads(text)
        alerts = _alerts(payload)
    except IsADirectoryError as error:
        raise _bad_alert(path, "is a folder, not a JSON file") from error
    except OSError as error:
        raise _bad_alert(path, error.strerror or str(error)) from error
    except UnicodeDecodeError as error:
        raise _bad_alert(path, f"not UTF-8 (byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise _bad_alert(path, f"not JSON: {error}") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise _bad_alert(path, f"{where}: {first['msg']}") from error
    except ValueError as error:
        raise _bad_alert(path, str(error)) from error
    return alerts


def _alerts(payload: Any) -> list[AlertInput]:
    from holmes.agent.engine.intake import alerts_from_webhook

    if isinstance(payload, dict):
        return alerts_from_webhook(payload)
    if isinstance(payload, list) and payload:
        alerts = []
        for index, item in enumerate(payload):
            if not isinstance(item, dict) or not isinstance(item.get("labels"), dict):
                raise ValueError(f"[{index}]: each alert of a list needs a labels mapping")
            alerts.extend(alerts_from_webhook(item))
        return sorted(alerts, key=lambda a: a.status != "firing")
    raise ValueError(f"holds {_json_kind(payload)}; {_ALERT_SHAPES}")


def _json_kind(value: Any) -> str:
    if value == []:
        return "an empty list"
    kinds = {str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return kinds.get(type(value), "null" if value is None else f"a {type(value).__name__}")


def _bad_alert(path: Path, problem: str) -> typer.BadParameter:
    return typer.BadParameter(f"{path}: {problem}", param_hint="--alert")


def checked_kubeconfig(path: Path, *, param_hint: str = "--kubeconfig") -> Path:
    """`path` if it is a usable kubeconfig file, else a usage error saying what is wrong."""
    from holmes.tools.kubernetes.kubeconfig import KubeconfigError, check_kubeconfig

    try:
        check_kubeconfig(path)
    except KubeconfigError as error:
        raise typer.BadParameter(str(error), param_hint=param_hint) from error
    return path


def default_kubeconfig() -> Path | None:
    """What kubectl would use: the first file of $KUBECONFIG (checked), else ~/.kube/config."""
    listed = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    if listed:
        return checked_kubeconfig(Path(listed[0]), param_hint="KUBECONFIG")
    path = Path.home() / ".kube" / "config"
    return checked_kubeconfig(path, param_hint="~/.kube/config") if path.exists() else None


def checked_prometheus_url(url: str | None) -> str | None:
    """An http(s) URL with a host, or a usage error naming `--prometheus-url`."""
    import httpx

    if url is None:
        return None
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError) as error:
        raise typer.BadParameter(f"{url!r}: {error}", param_hint="--prometheus-url") from error
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise typer.BadParameter(
            f"{url!r} is not an http(s) URL such as http://prometheus:9090",
            param_hint="--prometheus-url",
        )
    return url.strip()


def checked_hubble_address(address: str | None) -> str | None:
    """`host:port`, `tls://host:port` or `unix://path`, or a usage error naming the option."""
    if address is None:
        return None
    address = address.strip()
    if address.startswith("unix://") and len(address) > len("unix://"):
        return address
    # gRPC's own dns: target scheme is accepted too (dns:///host:port).
    bare = address.removeprefix("tls://").removeprefix("dns:///").removeprefix("dns:")
    host, _, port = bare.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")  # [::1]:4245
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or any(c in host for c in "/ "):
        raise typer.BadParameter(
            f"{address!r} is not host:port (e.g. hubble-relay:4245, tls://host:443, unix://path)",
            param_hint="--hubble-address",
        )
    return address
