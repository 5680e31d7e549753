"""The user's source registry: which outlets are verified (trusted) or unreliable.

Stored as ``sources.toml`` in the data directory, editable by hand or with
``twosource outlets set NAME verified``. Outlet names are normalised through the bundled alias
table, so "ISW" and "Institute for the Study of War" are one entry.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from index.errors import ConfigError
from index.metadata import canonical_outlet

REGISTRY_FILE = "sources.toml"
STATUSES = ("verified", "unreliable", "unknown")
MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _check_value(value: str, what: str, limit: int) -> None:
    """Refuse values that cannot be stored or shown safely, before anything is written."""
    bad = _CONTROL.search(value)
    if bad:
        raise ConfigError(
            f"the {what} {value[:80]!r} contains a control character (U+{ord(bad.group()):04X}); "
            f"control characters cannot be stored in {REGISTRY_FILE} — type it without them"
        )
    if len(value) > limit:
        raise ConfigError(
            f"the {what} is {len(value)} characters long; at most {limit} are allowed"
        )


def _toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif _CONTROL.match(ch):
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _fsync(fd: int) -> None:
    os.fsync(fd)


@dataclass(frozen=True)
class OutletEntry:
    name: str
    status: str = "unknown"
    note: str = ""


class SourceRegistry:
    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / REGISTRY_FILE
        self.entries: dict[str, OutletEntry] = {}
        self._mtime = -1.0
        self.reload()

    def reload(self) -> None:
        if not self.path.is_file():
            self.entries = {}
            return
        mtime = self.path.stat().st_mtime
        if mtime == self._mtime:
            return
        try:
            raw = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                f"cannot read the source registry {self.path} ({exc}) — fix the line it names, "
                "or delete the file and mark outlets again with `twosource outlets set NAME "
                "STATUS`"
            ) from None
        if not isinstance(raw.get("outlets", {}), dict):
            raise ConfigError(
                f"{self.path}: 'outlets' must be a table of [outlets.\"NAME\"] entries — fix or "
                "delete the file"
            )
        entries = {}
        for name, entry in (raw.get("outlets") or {}).items():
            status = str(entry.get("status", "unknown")) if isinstance(entry, dict) else "unknown"
            if status not in STATUSES:
                raise ConfigError(
                    f"{self.path}: outlet '{name}' has status '{status}'; use one of "
                    f"{', '.join(STATUSES)}"
                )
            note = str(entry.get("note", "")) if isinstance(entry, dict) else ""
            key = canonical_outlet(name)
            entries[key.lower()] = OutletEntry(key, status, note)
        self.entries = entries
        self._mtime = mtime

    def status(self, outlet: str) -> str:
        if not outlet:
            return "unknown"
        self.reload()
        entry = self.entries.get(canonical_outlet(outlet).lower())
        return entry.status if entry else "unknown"

    def is_verified(self, outlet: str) -> bool:
        return self.status(outlet) == "verified"

    def set(self, outlet: str, status: str, note: str = "") -> OutletEntry:
        """Record an outlet's status and write the file atomically."""
        if status not in STATUSES:
            raise ConfigError(f"status must be one of {', '.join(STATUSES)} (got '{status}')")
        _check_value(outlet, "outlet name", MAX_NAME_CHARS)
        _check_value(note, "note", MAX_NOTE_CHARS)
        name = canonical_outlet(outlet)
        if not name:
            raise ConfigError("the outlet name is empty")
        self.reload()
        entry = OutletEntry(name, status, note)
        self.entries[name.lower()] = entry
        self._write()
        return entry

    def _write(self) -> None:
        """Write atomically: a temporary file beside the registry, flushed to disk, read back
        and parsed, then renamed over the old one. Any failure leaves the old file as it was."""
        lines = [
            "# TwoSource source registry: status = verified | unreliable | unknown",
            "# A verified outlet's single report is not flagged; a passage that says of itself",
            "# that it is unconfirmed is flagged whatever its outlet.",
            "",
        ]
        expected = {}
        for entry in sorted(self.entries.values(), key=lambda e: e.name.lower()):
            lines.append(f"[outlets.{_toml_string(entry.name)}]")
            lines.append(f"status = {_toml_string(entry.status)}")
            if entry.note:
                lines.append(f"note = {_toml_string(entry.note)}")
            lines.append("")
            expected[entry.name] = (entry.status, entry.note)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            dir=self.path.parent, prefix="." + REGISTRY_FILE + ".", suffix=".tmp"
        )
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("\n".join(lines))
                fh.flush()
                _fsync(fh.fileno())
            back = tomllib.loads(tmp.read_text(encoding="utf-8")).get("outlets", {})
            got = {n: (e.get("status"), e.get("note", "")) for n, e in back.items()}
            if got != expected:
                raise ValueError("the written file does not read back as what was written")
            os.replace(tmp, self.path)
        except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
            tmp.unlink(missing_ok=True)
            self._mtime = -1.0
            with contextlib.suppress(ConfigError):
                self.reload()  # forget the entry that was not saved
            raise ConfigError(
                f"could not write the source registry {self.path} ({exc}); the previous file "
                "is unchanged"
            ) from None
        with contextlib.suppress(OSError):
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        self._mtime = -1.0
        self.reload()
