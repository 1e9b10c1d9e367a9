"""Read a bundle's text files, turning every way a file can be unreadable into a `BundleError`.

Called by the bundle loader (`bundle.py`) and the series readers (`series.py`). A folder where a
file belongs, a file that cannot be opened and bytes that are not UTF-8 are each named with the
file (and for bad bytes the line), so the bundle's author can fix it without a traceback.
Container logs are the exception: a log holds whatever a program printed, so it is decoded with
replacement characters instead (`read_log_text`), as `kubectl logs` shows it.
"""

from __future__ import annotations

from pathlib import Path

from holmes.evals.errors import BundleError


def read_text(path: Path) -> str:
    """The file's text; `BundleError` if it is a folder, unreadable, or not UTF-8."""
    data = _read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise BundleError(
            path,
            f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded (save the file as UTF-8)",
            where=f"line {line}",
        ) from error


def read_log_text(path: Path) -> str:
    """A container log's text, bytes that are not UTF-8 replaced by U+FFFD."""
    return _read_bytes(path).decode("utf-8", errors="replace")


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise BundleError(path, "is a folder, where the incident format expects a file")
    try:
        return path.read_bytes()
    except OSError as error:
        raise BundleError(path, f"cannot be read: {error.strerror or error}") from error
