"""Tool arguments -> Hubble FlowFilters, the way the `hubble observe` CLI builds them.

Used by the flows and summary tools (`flows.py`, `summary.py`): `FlowFilterArgs` is the part of
their input an LLM fills in, `whitelist(args)` turns it into the request's whitelist and
`window(args, now)` resolves `since`/`until` against the investigation's clock.

Hubble ANDs the fields inside one FlowFilter and ORs the filters of a list, and has no
"namespace" or "either side" field. So, as the CLI does, an argument that may match either
endpoint (`namespace`, `pod`, `port`) becomes two alternatives (source side, destination side),
and the whitelist is the cross product of every argument's alternatives: `namespace=shop,
verdict=DROPPED` gives `[{source_pod: [shop/], verdict: [DROPPED]}, {destination_pod: [shop/],
verdict: [DROPPED]}]`. Where two arguments constrain the same pod field (`pod` and `from_pod`,
or a pod inside `namespace`) the narrower prefix wins, impossible combinations are left out,
and filters implied by another are dropped.
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import product
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from holmes.tools.base import ToolFailure
from holmes.tools.hubble import drop_reasons
from holmes.tools.hubble.proto.flow import flow_pb2
from holmes.tools.times import resolve_time

Verdict = Literal["FORWARDED", "DROPPED", "ERROR", "AUDIT", "REDIRECTED", "TRACED", "TRANSLATED"]
Protocol = Literal["tcp", "udp", "sctp", "icmp", "icmpv4", "icmpv6", "http", "dns", "kafka"]
Alternative = dict[str, list[Any]]

_POD_FIELDS = ("source_pod", "destination_pod")
_POD_HELP = (
    "'namespace/name-prefix', or a name prefix alone (then in `namespace`, else in 'default'); "
    "a Deployment's name matches all of its pods"
)


class FlowFilterArgs(BaseModel):
    """The filters shared by hubble_flows and hubble_flow_summary; all optional, all ANDed."""

    model_config = ConfigDict(extra="forbid")

    namespace: str | None = Field(
        None,
        description="Flows with the source OR the destination in this namespace. Also the "
        "namespace of pod names given without one.",
    )
    pod: str | None = Field(None, description="Flows from OR to this pod: " + _POD_HELP + ".")
    from_pod: str | None = Field(None, description="Flows from this pod: " + _POD_HELP + ".")
    to_pod: str | None = Field(None, description="Flows to this pod: " + _POD_HELP + ".")
    from_label: str | None = Field(
        None, description="Source label selector, e.g. 'app=frontend' or 'k8s:app in (a,b)'."
    )
    to_label: str | None = Field(None, description="Destination label selector.")
    verdict: Verdict | None = Field(None, description="Only flows with this verdict.")
    drop_reason: str | None = Field(
        None,
        description="Only drops with this reason, by Cilium name: POLICY_DENIED, POLICY_DENY, "
        "AUTH_REQUIRED, STALE_OR_UNROUTABLE_IP, SERVICE_BACKEND_NOT_FOUND...",
    )
    protocol: Protocol | None = Field(None, description="L4 or L7 protocol.")
    port: int | None = Field(
        None, ge=1, le=65535, description="Source OR destination port (e.g. 8080, 53)."
    )
    http_status: str | None = Field(
        None,
        pattern=r"^[1-5]([0-9]{2}|[0-9]?\+)$",
        description="HTTP status of L7 responses: a code (503) or a prefix ('5+', '50+').",
    )
    dns_query: str | None = Field(
        None, description="Regular expression over DNS query names, e.g. 'backend\\.shop'."
    )
    direction: Literal["ingress", "egress"] | None = Field(
        None, description="Traffic direction as seen by the observed endpoint."
    )
    since: str | None = Field(
        None,
        description="Start of the time window: a duration before now ('10m', '1h30m') or an "
        "RFC 3339 time.",
    )
    until: str | None = Field(
        None, description="End of the time window (same forms as since); default now."
    )

    @field_validator("verdict", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("protocol", "direction", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("drop_reason")
    @classmethod
    def _drop_reason(cls, value: str | None) -> str | None:
        return None if value is None else drop_reasons.describe(drop_reasons.parse(value)).name

    @field_validator("pod", "from_pod", "to_pod")
    @classmethod
    def _pod(cls, value: str | None) -> str | None:
        if value is not None and (value.count("/") > 1 or not value.strip("/ ")):
            raise ValueError(f"{value!r} is not 'namespace/name-prefix' or a name prefix")
        return value.strip() if value else value

    @field_validator("dns_query")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"{value!r} is not a regular expression: {error}") from None
        return value

    @field_validator("since", "until")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None:
            resolve_time(value, datetime.fromisoformat("2000-01-01T00:00:00+00:00"))
        return value


def window(args: FlowFilterArgs, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The (since, until) bounds, resolved against the investigation's clock."""
    since = resolve_time(args.since, now) if args.since else None
    until = resolve_time(args.until, now) if args.until else None
    if since and until and since >= until:
        raise ToolFailure(
            "hubble",
            "bad_arguments",
            f"since ({since:%Y-%m-%dT%H:%M:%SZ}) is not before until ({until:%Y-%m-%dT%H:%M:%SZ})",
        )
    return since, until


def whitelist(args: FlowFilterArgs) -> list[flow_pb2.FlowFilter]:
    """The FlowFilters a flow must match (any of them); empty when no argument filters."""
    constraints = _constraints(args)
    if not constraints:
        return []
    combined = [
        merged for choice in product(*constraints) if (merged := _merge_all(choice)) is not None
    ]
    if not combined:
        raise ToolFailure(
            "hubble",
            "bad_arguments",
            "pod, from_pod, to_pod and namespace exclude each other here: no flow can match; "
            "give pods that can be the source and destination of one flow",
        )
    unique = [a for i, a in enumerate(combined) if a not in combined[:i]]
    kept = [a for a in unique if not _implied(a, unique)]
    return [flow_pb2.FlowFilter(**alternative) for alternative in kept]


def _constraints(args: FlowFilterArgs) -> list[list[Alternative]]:
    """Each argument as its alternatives (two when it may match either side)."""
    namespace = args.namespace.strip("/ ") if args.namespace else None
    out: list[list[Alternative]] = []
    if namespace:
        out.append(_either("source_pod", "destination_pod", f"{namespace}/"))
    if args.pod:
        out.append(_either("source_pod", "destination_pod", _qualify(args.pod, namespace)))
    if args.from_pod:
        out.append([{"source_pod": [_qualify(args.from_pod, namespace)]}])
    if args.to_pod:
        out.append([{"destination_pod": [_qualify(args.to_pod, namespace)]}])
    if args.port:
        out.append(_either("source_port", "destination_port", str(args.port)))
    single: Alternative = {}
    if args.from_label:
        single["source_label"] = [args.from_label]
    if args.to_label:
        single["destination_label"] = [args.to_label]
    if args.verdict:
        single["verdict"] = [flow_pb2.Verdict.Value(args.verdict)]
    if args.drop_reason:
        single["drop_reason_desc"] = [flow_pb2.DropReason.Value(args.drop_reason)]
    if args.protocol:
        single["protocol"] = [args.protocol]
    if args.http_status:
        single["http_status_code"] = [args.http_status]
    if args.dns_query:
        single["dns_query"] = [args.dns_query]
    if args.direction:
        single["traffic_direction"] = [flow_pb2.TrafficDirection.Value(args.direction.upper())]
    if single:
        out.append([single])
    return out


def _either(source_field: str, destination_field: str, value: str) -> list[Alternative]:
    return [{source_field: [value]}, {destination_field: [value]}]


def _qualify(pod: str, namespace: str | None) -> str:
    """A pod prefix with its namespace, as Hubble reads `ns/prefix` (no `ns/` means default)."""
    return pod if "/" in pod else f"{namespace or 'default'}/{pod}"


def _merge_all(choice: tuple[Alternative, ...]) -> Alternative | None:
    merged: Alternative = {}
    for alternative in choice:
        for field, values in alternative.items():
            if field not in merged:
                merged[field] = values
                continue
            narrower = _narrower(merged[field][0], values[0]) if field in _POD_FIELDS else None
            if narrower is None:
                return None
            merged[field] = [narrower]
    return merged


def _narrower(a: str, b: str) -> str | None:
    """The one of two `ns/prefix` values that implies the other, or None when they exclude."""
    if _widens(a, b):
        return b
    if _widens(b, a):
        return a
    return None


def _widens(wide: str, narrow: str) -> bool:
    wide_ns, _, wide_name = wide.partition("/")
    narrow_ns, _, narrow_name = narrow.partition("/")
    return wide_ns == narrow_ns and narrow_name.startswith(wide_name)


def _implied(alternative: Alternative, others: list[Alternative]) -> bool:
    """Whether a wider filter among `others` already admits every flow this one admits."""
    for other in others:
        if other == alternative:
            continue
        if all(
            field in alternative
            and (
                _widens(values[0], alternative[field][0])
                if field in _POD_FIELDS
                else values == alternative[field]
            )
            for field, values in other.items()
        ):
            return True
    return False


def describe(args: FlowFilterArgs) -> str:
    """The filters as `key=value` words for a header line, or 'no filters'."""
    given = args.model_dump(include=set(FlowFilterArgs.model_fields), exclude_none=True)
    return " ".join(f"{key}={value}" for key, value in given.items()) or "no filters"
