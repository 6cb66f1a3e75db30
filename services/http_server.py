"""``phare api``'s HTTP server: uvicorn with deadlines on slow and idle clients and a connection cap.

uvicorn closes an idle keep-alive connection, but a fresh connection that sends nothing, headers sent
one line a second, or a body trickled at a byte a second are held open for as long as the client
likes ("slowloris"). ``GuardedH11Protocol`` adds the deadlines of Apache's mod_reqtimeout: the
request line and headers within ``header_timeout_s`` (extended by one second per ``min_rate_bytes_s``
received, never past ``header_max_s``), the body within ``body_timeout_s`` extended the same way.
Past a deadline the connection is closed. Connections beyond ``max_connections`` are closed on
arrival, and requests beyond it answered 503 (uvicorn's ``limit_concurrency``). In production a
reverse proxy applies the same limits in front (``docs/DEPLOY.md``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from services.settings import ServerSettings


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with request deadlines (see the module docstring)."""

    limits = ServerSettings()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline_timer: asyncio.TimerHandle | None = None
        self._phase: str | None = None
        self._phase_started = 0.0
        self._phase_bytes = 0
        if len(self.connections) > self.limits.max_connections:
            self.transport.close()
            return
        self._start("headers")  # a connection that never sends anything is not kept either

    def data_received(self, data: bytes) -> None:
        if self._phase is None and self.conn.their_state is h11.IDLE:
            self._start("headers")  # the next request of a kept-alive connection begins
        self._phase_bytes += len(data)
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)

    # -- deadlines ------------------------------------------------------------------------------
    def _follow(self) -> None:
        """Move to the phase the h11 state machine is in."""
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._start("body")
        elif state is h11.IDLE and self._phase == "headers":
            pass  # still reading the request line and headers
        else:  # request complete (the app is answering), or between requests (uvicorn's keep-alive timer)
            self._stop()

    def _start(self, phase: str) -> None:
        self._stop()
        self._phase, self._phase_started, self._phase_bytes = phase, time.monotonic(), 0
        self._arm()

    def _stop(self) -> None:
        if getattr(self, "_deadline_timer", None) is not None:
            self._deadline_timer.cancel()  # type: ignore[union-attr]
        self._deadline_timer, self._phase = None, None

    def _deadline(self) -> float:
        limits = self.limits
        if self._phase == "headers":
            grace = min(limits.header_timeout_s + self._phase_bytes / limits.min_rate_bytes_s, limits.header_max_s)
        else:
            grace = limits.body_timeout_s + self._phase_bytes / limits.min_rate_bytes_s
        return self._phase_started + grace

    def _arm(self) -> None:
        delay = max(0.0, self._deadline() - time.monotonic())
        self._deadline_timer = self.loop.call_later(delay + 0.01, self._check)

    def _check(self) -> None:
        self._deadline_timer = None
        if self._phase is None or self.transport.is_closing():
            return
        if self.flow.read_paused:  # phare is not reading (the app is busy): not the client's slowness
            self._phase_started, self._phase_bytes = time.monotonic(), 0
        elif time.monotonic() >= self._deadline():
            self.logger.info("closing a connection too slow to send its request (%s)", self._phase)
            self._phase = None
            self.transport.close()
            return
        self._arm()


def serve(app: Any, host: str, port: int, limits: ServerSettings) -> None:  # noqa: ANN401 - an ASGI app
    """Run ``app`` until interrupted."""
    protocol = type("PhareH11Protocol", (GuardedH11Protocol,), {"limits": limits})
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", http=protocol, server_header=False,
                            timeout_keep_alive=int(limits.keep_alive_s) or 1,
                            limit_concurrency=limits.max_connections + 1, h11_max_incomplete_event_size=16 * 1024)
    uvicorn.Server(config).run()
