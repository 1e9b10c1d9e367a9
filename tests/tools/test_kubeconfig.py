"""A kubeconfig that is missing or not a kubeconfig is named as such by the Kubernetes tools.

The kubernetes client says "Invalid kube-config file" for a missing file and raises a bare
TypeError for a YAML scalar; the toolset checks the file first (`kubeconfig.py`), so the tool
result is `unavailable` with a message saying what is wrong with which file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from holmes.tools.context import SourceEndpoints, ToolContext
from holmes.tools.kubernetes import TOOLS
from holmes.tools.kubernetes.kubeconfig import KubeconfigError, check_kubeconfig
from holmes.tools.registry import ToolRegistry

REGISTRY = ToolRegistry(TOOLS)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "file not found"),
        ("just text\n", "must be a mapping with clusters, contexts and users; it is a str"),
        ("- a\n- b\n", "must be a mapping with clusters, contexts and users; it is a list"),
        ("", "must be a mapping with clusters, contexts and users; it is empty"),
        ("users: oops\n", "'users' must be a list"),
        ("a: [b\n", "not valid YAML"),
    ],
)
async def test_the_tool_result_names_the_file_and_the_problem(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    path = tmp_path / "kubeconfig"
    if content is not None:
        path.write_text(content)
    with pytest.raises(KubeconfigError, match=problem):
        check_kubeconfig(path)
    ctx = ToolContext(SourceEndpoints(kubeconfig=path))
    result = await REGISTRY.invoke("kubernetes_list", {"kind": "Pod"}, ctx)
    await ctx.aclose()
    assert result.error is not None and result.error.kind == "unavailable"
    assert result.error.message.startswith(f"kubernetes kubeconfig {path} is unusable: {problem}")


def test_a_folder_and_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(KubeconfigError, match="is a folder, not a file"):
        check_kubeconfig(tmp_path)
    binary = tmp_path / "kubeconfig"
    binary.write_bytes(b"clusters: [\xff]\n")
    with pytest.raises(KubeconfigError, match=r"not UTF-8 text \(byte 11\)"):
        check_kubeconfig(binary)
