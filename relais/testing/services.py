"""The machine's real services, for the tests that use them as production would."""

import socket


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True
