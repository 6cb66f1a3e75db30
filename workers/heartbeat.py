"""How live worker processes announce themselves in the broker's Redis, and how others count them.

Light on purpose (redis-py alone): a command reads it before deciding to start workers, without
importing the worker runtime and dramatiq."""

from __future__ import annotations

import redis

from schemas.events import NAMESPACE

HEARTBEAT_PREFIX = f"{NAMESPACE}:heartbeat:worker:"
HEARTBEAT_TTL_S = 10
WARMING, READY = b"warming", b"ready"


def workers_alive(client: redis.Redis) -> int:
    """How many worker processes announced themselves in the last few seconds (``client``: the broker's Redis)."""
    return sum(1 for _ in client.scan_iter(match=f"{HEARTBEAT_PREFIX}*"))


def workers_ready(client: redis.Redis) -> int:
    """How many live worker processes have loaded their models (``client``: the broker's Redis)."""
    return sum(1 for key in client.scan_iter(match=f"{HEARTBEAT_PREFIX}*") if client.get(key) == READY)
