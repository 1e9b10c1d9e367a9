"""The README's config file reference, generated from the model's fields.

`python -m holmes.cli.config_docs` prints the table; tests/test_config.py checks that the
README holds exactly this text, so a field added to holmes/cli/config.py without its
documentation fails CI.
"""

from __future__ import annotations

import json
import sys

from holmes.cli.config import leaves


def reference_table() -> str:
    """A markdown table: key, type, default, environment variables, flag, description."""
    lines = [
        "| key | type | default | environment | flag | description |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for leaf in leaves():
        default = "" if leaf.default in (None, [], {}) else f"`{_default(leaf.default)}`"
        env = ", ".join(f"`{name}`" for name in leaf.env)
        flag = f"`{leaf.flag}`" if leaf.flag else ""
        secret = " (secret: masked)" if leaf.secret else ""
        cells = [f"`{leaf.path}`", leaf.type_name.replace("|", "or"), default, env, flag]
        lines.append("| " + " | ".join([*cells, leaf.description + secret]) + " |")
    return "\n".join(lines)


def _default(value: object) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


if __name__ == "__main__":
    sys.stdout.write(reference_table() + "\n")
