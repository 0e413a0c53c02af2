"""How ``kg serve`` runs: where, with how many workers, and its limits; passed from the command
line to the HTTP worker process (granian starts it) through one environment variable."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

ENVIRONMENT = "KG_SERVE_SETTINGS"


class Settings(NamedTuple):
    """The server's options; every limit bounds one resource a client could exhaust."""

    root: Path
    host: str = "127.0.0.1"
    port: int = 7878
    workers: int = 4  # query worker processes
    timeout: float = 10.0  # seconds a query may run
    wait: float = 10.0  # seconds a request may wait for a free worker
    max_rows: int = 100_000
    max_body: int = 1_000_000  # bytes of a request body
    max_url: int = 60_000  # bytes of a request's path and query string (a GET query); granian refuses past 65,534 itself
    max_bytes: int = 50_000_000  # bytes of one result, checked while it is written
    max_sending: int = 256_000_000  # bytes of results held for clients still reading them
    memory: int | None = 2048 * 2**20  # bytes of address space a query worker may use (None: no ceiling)
    header_timeout: float = 10.0  # seconds a client has to send its request line and headers
    send_stall: float = 30.0  # seconds a client may leave a result unread before it is cut off
    cache: int = 64 * 2**20  # bytes of answers kept for repeated queries (0: no cache)
    reload_every: float = 1.0  # seconds between looks at dist/ for a new build
    allowed_services: frozenset[str] = frozenset()
    quiet: bool = False

    def to_environment(self) -> str:
        """The settings as JSON, for :data:`ENVIRONMENT`."""
        fields = self._asdict()
        fields["root"] = str(self.root)
        fields["allowed_services"] = sorted(self.allowed_services)
        return json.dumps(fields)

    @classmethod
    def from_environment(cls) -> Settings:
        """The settings ``kg serve`` put in :data:`ENVIRONMENT`."""
        fields = json.loads(os.environ[ENVIRONMENT])
        fields["root"] = Path(fields["root"])
        fields["allowed_services"] = frozenset(fields["allowed_services"])
        return cls(**fields)
