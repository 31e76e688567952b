"""A free loopback port, for the servers the scripts, the deploy tool and the tests start on this machine."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port the OS reports free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
