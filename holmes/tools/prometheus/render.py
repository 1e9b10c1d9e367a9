"""Compact text for Prometheus results: labels said once, then one block per series, bounded.

Called by the query, range and discovery tools. `LabelLayout` decides which labels a series line
shows (those that differ between series, minus identity labels such as UUID when the rest still
tell the series apart); `fit` adds per-series blocks until the text budget is spent and says how
many were left out, so the registry never has to cut a result in the middle of a line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from holmes.tools.context import ToolContext
from holmes.tools.facts.metric_labels import RELABELLED_NOTE, exported_workload
from holmes.tools.shaping.series import common_labels, format_labels, redundant_identity_labels

# Room kept for the "N more ... not shown" line and the registry's own framing.
_RESERVE = 120


class LabelLayout:
    """Which labels to print per series, given all the series of one result."""

    def __init__(self, label_sets: Sequence[Mapping[str, str]]) -> None:
        self.common = common_labels(label_sets) if len(label_sets) > 1 else {}
        varying = [{k: v for k, v in s.items() if k not in self.common} for s in label_sets]
        self.dropped = redundant_identity_labels(varying) if len(label_sets) > 1 else []
        self._omit = set(self.common) | set(self.dropped)
        self.relabelled = any(exported_workload(labels) for labels in label_sets)

    def header(self) -> list[str]:
        """Lines that say the common labels and the left-out identity labels, once."""
        lines = []
        if self.common:
            lines.append(f"common labels: {format_labels(self.common)}")
        if self.dropped:
            lines.append(f"not shown per series: {', '.join(self.dropped)} (in data)")
        if self.relabelled:
            lines.append(RELABELLED_NOTE)
        return lines

    def label(self, labels: Mapping[str, str]) -> str:
        """The series' distinguishing labels in PromQL form."""
        return format_labels(labels, omit=self._omit)


def budget(ctx: ToolContext) -> int:
    """Characters a tool's text may use before it stops adding series."""
    return max(ctx.limits.max_output_chars - _RESERVE, 200)


def fit(
    head: list[str],
    blocks: Sequence[list[str]],
    *,
    limit: int,
    more: Callable[[int], str],
    hidden: int = 0,
) -> tuple[str, int]:
    """Join `head` and as many whole blocks as fit in `limit` characters; + how many were shown.

    `more(n)` words the line added when n items were left out: the blocks that did not fit
    plus `hidden`, those the caller had already left out (beyond its item limit).
    """
    lines = list(head)
    size = sum(len(line) + 1 for line in lines)
    shown = 0
    for block in blocks:
        block_size = sum(len(line) + 1 for line in block)
        if size + block_size > limit:
            break
        lines.extend(block)
        size += block_size
        shown += 1
    if shown < len(blocks) or hidden:
        lines.append(more(len(blocks) - shown + hidden))
    return "\n".join(lines), shown


def warnings_lines(warnings: Sequence[str]) -> list[str]:
    """Prometheus's warnings, each on its own line."""
    return [f"prometheus warning: {warning}" for warning in warnings]
