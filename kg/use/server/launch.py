"""Start ``kg serve`` on granian: a Rust HTTP server that parses requests, holds a deadline for
a client's headers (a slowloris connection is closed, not kept), keeps connections alive,
waits for slow readers instead of buffering for them, and shuts down on SIGINT and SIGTERM
(the app then stops every query worker).

Why granian: it closes connections that do not finish their headers in time
(``header_read_timeout``; checked here: closed 2.5 s into a trickle of header lines with a 2 s
deadline); uvicorn 0.54 with httptools, as measured for the issue that asked for this, kept
250 slowloris connections open indefinitely, and its ``limit_concurrency`` would turn them
into refusals for everyone.
"""

from __future__ import annotations

import os
import socket

from kg.use.server.settings import ENVIRONMENT, Settings


def bind_probe(host: str, port: int) -> int:
    """Bind ``host:port`` for a moment and return the port: a free one for port 0 (granian's
    workers each bind the port, so it must be a real number), else the port itself. OSError,
    with the system's reason, when it cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        return int(probe.getsockname()[1])


def serve(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM. The app says where it listens once its workers are ready."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    settings = settings._replace(port=bind_probe(settings.host, settings.port))
    os.environ[ENVIRONMENT] = settings.to_environment()
    server = Granian(
        "kg.use.server.app:from_environment",
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        loop=Loops.uvloop,  # measured: 2,420 uncached lookups/s against 1,200-1,870 on asyncio's loop, and steadier
        http=HTTPModes.http1,
        workers=1,  # one process answers HTTP; the queries run in the app's own worker processes
        backlog=1024,
        http1_settings=HTTP1Settings(header_read_timeout=int(settings.header_timeout * 1000), keep_alive=True),
        log_level=LogLevels.warning,  # the app logs requests and reloads itself
        workers_kill_timeout=10,
    )
    server.serve()
