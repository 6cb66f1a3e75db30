"""How long each pipeline stage takes, summed in Redis by the workers and read by ``/metrics``.

Workers are separate processes: their timings meet in one Redis hash per stage (runs, seconds)."""

from __future__ import annotations

import logging

import redis

log = logging.getLogger(__name__)
_KEY = "phare:stats:stage:"


class StageStats:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def observe(self, stage: str, seconds: float) -> None:
        """Count one run of ``stage``; a Redis hiccup loses the sample, never the document."""
        try:
            pipe = self.client.pipeline()
            pipe.hincrby(_KEY + stage, "runs", 1)
            pipe.hincrbyfloat(_KEY + stage, "seconds", seconds)
            pipe.execute()
        except redis.RedisError as exc:
            log.debug("stage timing lost: %s", exc)

    def read(self, stages: list[str]) -> dict[str, tuple[int, float]]:
        """``{stage: (runs, seconds)}`` for the stages that ran at least once."""
        out = {}
        for stage in stages:
            raw = self.client.hgetall(_KEY + stage)
            if raw:
                out[stage] = (int(raw.get(b"runs", 0)), float(raw.get(b"seconds", 0.0)))
        return out
