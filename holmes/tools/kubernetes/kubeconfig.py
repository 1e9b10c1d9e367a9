"""Check a kubeconfig file before the kubernetes client reads it, for a message a person can act on.

Called by the Kubernetes client (`client.py`) and by the CLI, which refuses a bad `--kubeconfig`
before investigating. The kubernetes client says "Invalid kube-config file. No configuration
found." for a file that does not exist and raises a bare TypeError ("'str' object does not
support item assignment") for a file holding a YAML scalar; here each case is named.
"""

from __future__ import annotations

from pathlib import Path

import yaml


class KubeconfigError(ValueError):
    """A kubeconfig file that cannot be used: `kubeconfig PATH: PROBLEM`."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"kubeconfig {path}: {problem}")


def check_kubeconfig(path: Path) -> None:
    """Raise `KubeconfigError` unless `path` is a readable YAML mapping (a kubeconfig's shape)."""
    if not path.exists():
        raise KubeconfigError(path, "file not found")
    if path.is_dir():
        raise KubeconfigError(path, "is a folder, not a file")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise KubeconfigError(path, f"cannot be read: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise KubeconfigError(path, f"not UTF-8 text (byte {error.start})") from error
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise KubeconfigError(path, f"not valid YAML: {error}") from error
    if not isinstance(document, dict):
        found = "empty" if document is None else f"a {type(document).__name__}"
        raise KubeconfigError(
            path, f"must be a mapping with clusters, contexts and users; it is {found}"
        )
    for field in ("clusters", "contexts", "users"):
        if document.get(field) is not None and not isinstance(document[field], list):
            raise KubeconfigError(path, f"'{field}' must be a list")
