"""Tool arguments -> FlowFilters (the CLI's either-side expansion), time windows, drop reasons.

Pure tests, no server: what the Hubble tools would send is compared with the FlowFilters written
out by hand in Hubble's JSON form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from google.protobuf import json_format
from pydantic import ValidationError

from holmes.tools.base import ToolFailure
from holmes.tools.hubble import drop_reasons
from holmes.tools.hubble.filters import FlowFilterArgs, resolve_time, whitelist, window

NOW = datetime(2026, 9, 2, 16, 5, tzinfo=UTC)


def sent(**arguments: Any) -> list[dict[str, Any]]:
    """The whitelist for these arguments, as Hubble's JSON."""
    filters = whitelist(FlowFilterArgs(**arguments))
    return [json_format.MessageToDict(f, preserving_proto_field_name=True) for f in filters]


def test_no_arguments_send_no_filter() -> None:
    assert sent() == []


def test_namespace_becomes_source_or_destination_with_the_other_filters_in_both() -> None:
    assert sent(namespace="shop", verdict="dropped") == [
        {"source_pod": ["shop/"], "verdict": ["DROPPED"]},
        {"destination_pod": ["shop/"], "verdict": ["DROPPED"]},
    ]


def test_pod_takes_the_namespace_and_implied_filters_are_dropped() -> None:
    assert sent(namespace="shop", pod="frontend") == [
        {"source_pod": ["shop/frontend"]},
        {"destination_pod": ["shop/frontend"]},
    ]
    # Without a namespace a bare pod name means namespace default, as in Hubble.
    assert sent(pod="frontend") == [
        {"source_pod": ["default/frontend"]},
        {"destination_pod": ["default/frontend"]},
    ]


def test_from_and_to_pods_make_one_filter() -> None:
    assert sent(from_pod="shop/frontend", to_pod="backend", namespace="shop") == [
        {"source_pod": ["shop/frontend"], "destination_pod": ["shop/backend"]}
    ]


def test_namespace_with_a_pod_elsewhere_keeps_only_the_crossing_flows() -> None:
    assert sent(namespace="shop", from_pod="monitoring/prometheus") == [
        {"source_pod": ["monitoring/prometheus"], "destination_pod": ["shop/"]}
    ]


def test_port_on_either_side_crossed_with_the_namespace() -> None:
    assert sent(namespace="ml", port=53, protocol="UDP") == [
        {"source_pod": ["ml/"], "source_port": ["53"], "protocol": ["udp"]},
        {"source_pod": ["ml/"], "destination_port": ["53"], "protocol": ["udp"]},
        {"destination_pod": ["ml/"], "source_port": ["53"], "protocol": ["udp"]},
        {"destination_pod": ["ml/"], "destination_port": ["53"], "protocol": ["udp"]},
    ]


def test_every_single_sided_argument_lands_in_its_field() -> None:
    assert sent(
        from_label="app=frontend",
        to_label="k8s:app=backend",
        drop_reason="policy-denied",
        http_status="5+",
        dns_query=r"backend\.shop",
        direction="INGRESS",
    ) == [
        {
            "source_label": ["app=frontend"],
            "destination_label": ["k8s:app=backend"],
            "drop_reason_desc": ["POLICY_DENIED"],
            "http_status_code": ["5+"],
            "dns_query": [r"backend\.shop"],
            "traffic_direction": ["INGRESS"],
        }
    ]


def test_pods_that_cannot_both_hold_are_refused() -> None:
    with pytest.raises(ToolFailure) as refused:
        whitelist(FlowFilterArgs(pod="shop/a", from_pod="shop/b", to_pod="shop/c"))
    assert refused.value.error.kind == "bad_arguments"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"drop_reason": "NOT_A_REASON"}, "drop_reason"),
        ({"verdict": "BLOCKED"}, "verdict"),
        ({"http_status": "5xx"}, "http_status"),
        ({"dns_query": "(unclosed"}, "dns_query"),
        ({"since": "yesterday"}, "since"),
        ({"pod": "a/b/c"}, "pod"),
        ({"port": 0}, "port"),
        ({"nmespace": "shop"}, "nmespace"),
    ],
)
def test_bad_arguments_name_their_field(arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as invalid:
        FlowFilterArgs(**arguments)
    assert field in str(invalid.value)


def test_times_are_durations_before_now_or_rfc3339() -> None:
    assert resolve_time("10m", NOW) == datetime(2026, 9, 2, 15, 55, tzinfo=UTC)
    assert resolve_time("1h30m", NOW) == datetime(2026, 9, 2, 14, 35, tzinfo=UTC)
    assert resolve_time("2026-09-02T16:00:00Z", NOW) == datetime(2026, 9, 2, 16, tzinfo=UTC)
    assert window(FlowFilterArgs(since="5m"), NOW) == (
        datetime(2026, 9, 2, 16, 0, tzinfo=UTC),
        None,
    )
    with pytest.raises(ToolFailure):
        window(FlowFilterArgs(since="5m", until="10m"), NOW)


def test_drop_reasons_by_name_or_code_with_their_meaning() -> None:
    assert drop_reasons.parse("auth_required") == 189
    assert drop_reasons.parse(133) == 133
    denied = drop_reasons.describe(133)
    assert (denied.name, denied.text) == ("POLICY_DENIED", "Policy denied")
    assert "network policy" in denied.meaning
    assert drop_reasons.describe(139).noise
    assert drop_reasons.describe(999).name == "DROP_REASON_999"
    with pytest.raises(ValueError, match="POLICY_DENIED"):
        drop_reasons.parse("DENIED")
