"""Hubble toolset: flow queries against a Hubble Relay (`observer.Observer/GetFlows`).

`proto/` holds our own wire-compatible subset of Cilium's Hubble protos and the stubs generated
from it by `scripts/generate_hubble_stubs.sh`; the replay server in `holmes.evals.replay.hubble`
and the live client both import the generated `*_pb2` modules from there.

The tools: `hubble_flows` (flows.py), `hubble_flow_summary` (summary.py) and
`hubble_server_status` (status.py), over one client per investigation (client.py). Arguments
become FlowFilters in filters.py, the stream is read in fetch.py, flows are counted in
tally.py and spelled in naming.py, and drop reasons are explained by drop_reasons.py.
"""

from holmes.tools.base import Tool
from holmes.tools.hubble.flows import HubbleFlows
from holmes.tools.hubble.status import HubbleServerStatus
from holmes.tools.hubble.summary import HubbleFlowSummary

TOOLS: tuple[type[Tool], ...] = (HubbleFlows, HubbleFlowSummary, HubbleServerStatus)

__all__ = ["TOOLS"]
