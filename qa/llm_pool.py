"""A pool of OpenAI-compatible LLM servers (llama.cpp, vLLM, SGLang) behind one generator.

Each request goes to the least busy server that is up (fewest requests in flight per slot;
ties in turn), and never to a server whose slots are all taken: the request waits for a free
slot instead (llama-cpp-python's server cuts the answer it is streaming short when a second
request arrives). A server that refuses the connection, times out or answers 5xx is logged
once, skipped for ``cooldown`` seconds, and the request moves on to the next server; when
every server is down each is tried once more, then the request fails with an ``LLMError``
naming them all. A server that fails after part of the answer has been streamed cannot be
replaced mid-answer: that one request fails (clearly), the next ones go elsewhere.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from index.errors import ConfigError
from index.settings import LLMSettings

from .llm import LLMError, OpenAIServerGenerator, ServerDown

log = logging.getLogger("twosource.llm")


@dataclass
class Endpoint:
    """One server of the pool and what the pool knows about it."""

    server: OpenAIServerGenerator
    slots: int
    in_flight: int = 0
    down_until: float = 0.0  # time.monotonic(); 0 = up
    last_error: str = ""
    answered: int = 0
    failures: int = field(default=0)

    @property
    def url(self) -> str:
        return self.server.base


class ServerPool:
    """Several OpenAI-compatible servers as one ``Generator`` (``stream``, ``name``, ``slots``).

    Args:
        servers: one generator per server.
        slots: parallel requests per server (one value per server).
        cooldown: seconds a failed server is skipped.
        wait: longest wait (seconds) for a free slot when every server that is up is busy.
    """

    def __init__(
        self,
        servers: list[OpenAIServerGenerator],
        slots: list[int],
        cooldown: float = 30.0,
        wait: float = 300.0,
    ):
        if not servers:
            raise ConfigError("llm.url names no server")
        if len(slots) != len(servers):
            raise ConfigError(
                f"llm.slots has {len(slots)} values for {len(servers)} servers in llm.url: give "
                "one per server, in the same order, or one for all"
            )
        self.endpoints = [Endpoint(s, max(1, n)) for s, n in zip(servers, slots, strict=True)]
        self.cooldown = cooldown
        self.wait = wait
        self._turn = 0
        self._cond = threading.Condition()
        urls = ", ".join(e.url for e in self.endpoints)
        model = servers[0].model if servers[0].model != "default" else "server"
        self.name = f"{model} @ {urls}"

    @classmethod
    def from_settings(cls, llm: LLMSettings) -> ServerPool:
        """The pool ``llm.url`` names; slots from ``llm.slots``, else asked of each server."""
        servers = [
            OpenAIServerGenerator(
                url,
                llm.server_model,
                llm.timeout,
                llm.response_format,
                connect_timeout=llm.connect_timeout,
            )
            for url in llm.urls()
        ]
        if not servers:
            raise ConfigError("llm.url names no server")
        slots = list(llm.slots)
        if len(slots) == 1:
            slots = slots * len(servers)
        elif not slots:
            slots = [discover_slots(s) for s in servers]
        return cls(servers, slots, llm.cooldown, llm.timeout)

    @property
    def slots(self) -> int:
        """Requests the pool answers at once: the sum of its servers' slots."""
        return sum(e.slots for e in self.endpoints)

    def status(self) -> list[dict]:
        """Per server: url, slots, in flight, up or down (and why), answers given."""
        now = time.monotonic()
        with self._cond:
            return [
                {
                    "url": e.url,
                    "slots": e.slots,
                    "in_flight": e.in_flight,
                    "up": e.down_until <= now,
                    "last_error": e.last_error,
                    "answered": e.answered,
                }
                for e in self.endpoints
            ]

    # -- choosing a server
    def _pick(self, tried: set[int]) -> Endpoint | None:
        """The least busy free server that is up and not yet tried; when none is up, a free
        untried one whose cool-down ends first. None when all are busy (caller waits) or
        tried (caller fails). Called with the lock held."""
        now = time.monotonic()
        n = len(self.endpoints)
        order = [(self._turn + i) % n for i in range(n)]
        untried = [i for i in order if i not in tried]
        if not untried:
            return None
        up = [i for i in untried if self.endpoints[i].down_until <= now]
        candidates = up or sorted(untried, key=lambda i: self.endpoints[i].down_until)[:1]
        free = [i for i in candidates if self.endpoints[i].in_flight < self.endpoints[i].slots]
        if not free:
            return None
        best = min(free, key=lambda i: self.endpoints[i].in_flight / self.endpoints[i].slots)
        self._turn = (best + 1) % n
        return self.endpoints[best]

    def _acquire(self, tried: set[int]) -> Endpoint:
        deadline = time.monotonic() + self.wait
        with self._cond:
            while True:
                if len(tried) == len(self.endpoints):
                    raise self._all_down()
                endpoint = self._pick(tried)
                if endpoint is not None:
                    endpoint.in_flight += 1
                    return endpoint
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LLMError(
                        f"every LLM server was busy for {self.wait:g} s "
                        f"({', '.join(e.url for e in self.endpoints)}) — try again, or add "
                        "servers (llm.url) or slots (llm.slots)"
                    )
                # a slot frees up, or a cool-down ends
                self._cond.wait(timeout=min(left, 1.0))

    def _release(self, endpoint: Endpoint, error: ServerDown | None, answered: bool) -> None:
        with self._cond:
            endpoint.in_flight -= 1
            if error is not None:
                endpoint.failures += 1
                endpoint.last_error = error.reason or str(error)
                was_up = endpoint.down_until <= time.monotonic()
                endpoint.down_until = time.monotonic() + self.cooldown
                if was_up:
                    log.warning(
                        "LLM server %s is down (%s); skipping it for %g s",
                        endpoint.url,
                        endpoint.last_error,
                        self.cooldown,
                    )
            elif answered:
                if endpoint.down_until:
                    log.warning("LLM server %s answers again", endpoint.url)
                endpoint.down_until = 0.0
                endpoint.last_error = ""
                endpoint.answered += 1
            self._cond.notify_all()

    def _all_down(self) -> LLMError:
        parts = [f"{e.url} ({e.last_error or 'busy'})" for e in self.endpoints]
        return LLMError(
            f"no LLM server answered: {'; '.join(parts)} — start them, or check --llm-url / "
            f"TWOSOURCE_LLM__URL (a failed server is retried after {self.cooldown:g} s)"
        )

    # -- the Generator interface
    def stream(
        self, messages: list[dict], schema: dict | None, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        tried: set[int] = set()
        while True:
            endpoint = self._acquire(tried)
            tried.add(self.endpoints.index(endpoint))
            error: ServerDown | None = None
            answered = False
            try:
                yield from endpoint.server.stream(messages, schema, max_tokens, temperature)
                answered = True
                return
            except ServerDown as exc:
                error = exc
                if exc.streamed:
                    raise
            finally:
                self._release(endpoint, error, answered)


def discover_slots(server: OpenAIServerGenerator) -> int:
    """A server's parallel slots as it reports them (llama.cpp's llama-server: ``/props``
    ``total_slots``); 1 when it does not say (llama-cpp-python's server answers one request
    at a time; vLLM and SGLang batch, so set ``llm.slots`` for them)."""
    props = server.props() or {}
    total = props.get("total_slots")
    return total if isinstance(total, int) and total > 0 else 1
