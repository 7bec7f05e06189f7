"""Per-client rate limits (R19, R31): creating assessments, guessing link tokens, rendering PDFs.

Which limits a request meets is declared on its route (app.security.route_limits); the counts live in
app.security.counters (this process's memory, or the database so that all workers and instances count
together). The client address is the TCP peer, or what uvicorn took from X-Forwarded-For for a trusted
proxy only (`forwarded_allow_ips`), so a spoofed header from anyone else lands in the sender's own bucket.
"""

from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.security.counters import Counters
from app.security.refusals import send_refusal
from app.security.route_limits import RouteTable


@dataclass(frozen=True)
class Rule:
    """A route declaring `name` is refused while its client's count is at `limit`; its responses for
    which `counts(status)` holds are counted.

    `checked_locally`: checked from what this process knows (app.security.counters, `known_wait`), for a
    rule met by many requests and counted on few, where asking a shared store first would cost every
    request a database call. The others (a create, a rendering: work that cannot be taken back) ask it.
    """

    name: str
    limit: int
    counts: Callable[[int], bool]
    message: str
    checked_locally: bool = False


def _created_or_tried(status: int) -> bool:
    # 409 and 422 are also what a create gets for a reused idempotency key with other content or after
    # its links were renewed: counted, so trying keys costs what creating does (issue 17).
    return status < 400 or status in (409, 422)


def _rendered(status: int) -> bool:
    return status < 400 or status == 503  # a rendering stopped at its timeout used the machine too


def _missed(status: int) -> bool:
    return status == 404


def rules_from(settings: Settings) -> dict[str, Rule]:
    return {rule.name: rule for rule in [
        Rule("create", settings.rate_limit_create_per_minute, _created_or_tried,
             "Too many assessments created from your address; try again in a minute."),
        # Met by every page reached by a link, counted only on a wrong link: with counts in the database,
        # each other process answers at most one more miss before it learns of the block; a token is
        # 256 random bits, so that is no help to a guesser.
        Rule("token-misses", settings.rate_limit_token_misses_per_minute, _missed,
             "Too many unknown links opened from your address; try again in a minute.", checked_locally=True),
        Rule("pdf", settings.rate_limit_pdf_per_minute, _rendered,
             "Too many PDF reports requested from your address; try again in a minute."),
    ]}


def client_key(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimiter:
    """Pure ASGI middleware applying the rules of the route; refused requests get 429 with Retry-After."""

    def __init__(self, app: ASGIApp, *, rules: dict[str, Rule], routes: RouteTable,
                 counters: Counters) -> None:
        self.app = app
        self.rules = rules
        self.routes = routes
        self.counters = counters
        self._blocking = getattr(counters, "blocking", True)

    async def _call(self, function, *args):
        if self._blocking:
            return await run_in_threadpool(function, *args)
        return function(*args)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        names = self.routes.resolve(scope).rates
        if not names:
            await self.app(scope, receive, send)
            return
        rules = [rule for name, rule in self.rules.items() if name in names]
        key = client_key(scope)
        for rule in rules:
            if rule.checked_locally:
                wait = self.counters.known_wait(rule.name, key, rule.limit)
            else:
                wait = await self._call(self.counters.retry_after, rule.name, key, rule.limit)
            if wait:
                await send_refusal(scope, receive, send, 429, detail=rule.name, message=rule.message,
                                   headers={"Retry-After": str(wait)})
                return

        async def send_and_count(message: Message) -> None:
            if message["type"] == "http.response.start":
                for rule in rules:
                    if rule.counts(message["status"]):
                        await self._call(self.counters.hit, rule.name, key, rule.limit)
            await send(message)

        await self.app(scope, receive, send_and_count)
