"""The user's source registry: which outlets are verified (trusted) or unreliable.

Stored as ``sources.toml`` in the data directory, editable by hand or with
``twosource outlets set NAME verified``. Outlet names are normalised through the bundled alias
table, so "ISW" and "Institute for the Study of War" are one entry.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from index.errors import ConfigError
from index.metadata import canonical_outlet

REGISTRY_FILE = "sources.toml"
STATUSES = ("verified", "unreliable", "unknown")


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
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read the source registry {self.path}: {exc}") from None
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
        name = canonical_outlet(outlet)
        if not name:
            raise ConfigError("the outlet name is empty")
        self.reload()
        entry = OutletEntry(name, status, note)
        self.entries[name.lower()] = entry
        self._write()
        return entry

    def _write(self) -> None:
        lines = [
            "# TwoSource source registry: status = verified | unreliable | unknown",
            "# A verified outlet's single report is not flagged; a passage that says of itself",
            "# that it is unconfirmed is flagged whatever its outlet.",
            "",
        ]
        for entry in sorted(self.entries.values(), key=lambda e: e.name.lower()):
            name = entry.name.replace("\\", "\\\\").replace('"', '\\"')
            note = entry.note.replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'[outlets."{name}"]')
            lines.append(f'status = "{entry.status}"')
            if note:
                lines.append(f'note = "{note}"')
            lines.append("")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".toml.tmp")
        tmp.write_text("\n".join(lines), encoding="utf-8")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self._mtime = -1.0
        self.reload()
