"""Per-client rate limits (R19, R31): creating assessments, guessing link tokens, rendering PDFs.

An in-process sliding window per client address: each worker process counts on its own, so with N
workers or instances a client gets up to N times the limit (documented in the README). The client
address is the TCP peer, or what uvicorn took from X-Forwarded-For for a trusted proxy only
(`forwarded_allow_ips`), so a spoofed header from anyone else lands in the sender's own bucket.
"""

import math
import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.security.refusals import send_refusal

# Length of every window, in seconds: the settings are "per minute".
WINDOW_SECONDS = 60.0
# Clients remembered per rule; beyond this the least recently seen are forgotten (bounded memory).
MAX_CLIENTS = 10_000


class SlidingWindow:
    """Times of counted events per key over the last `window` seconds."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            return deque()
        horizon = self.clock() - self.window
        while events and events[0] <= horizon:
            events.popleft()
        if not events:
            del self._events[key]
        return events

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may act again; 0 if it may act now."""
        events = self._recent(key)
        if len(events) < self.limit:
            return 0
        return max(1, math.ceil(events[0] + self.window - self.clock()))

    def hit(self, key: str) -> None:
        events = self._events.setdefault(key, deque())
        events.append(self.clock())
        self._events.move_to_end(key)
        if len(self._events) > MAX_CLIENTS:
            self._events.popitem(last=False)


@dataclass(frozen=True)
class Rule:
    """Requests matching `methods` and `path` are refused while the window is full; responses for
    which `counts(status)` holds are counted."""

    name: str
    methods: frozenset[str]
    path: re.Pattern
    counts: Callable[[int], bool]
    window: SlidingWindow
    message: str

    def matches(self, scope: Scope) -> bool:
        return scope["method"] in self.methods and bool(self.path.match(scope["path"]))


def _created_or_tried(status: int) -> bool:
    # 409 and 422 are also what a create gets for a reused idempotency key with other content or after
    # its links were renewed: counted, so trying keys costs what creating does (issue 17).
    return status < 400 or status in (409, 422)


def _rendered(status: int) -> bool:
    return status < 400 or status == 503  # a rendering stopped at its timeout used the machine too


def _missed(status: int) -> bool:
    return status == 404


# Routes that create an assessment (or a workspace with one): the first wizard step, the API, copies
# and imports.
CREATE_PATHS = re.compile(r"^/(new|w/[^/]+/new|w/[^/]+/import|e/[^/]+/duplicate|api/v1/assessments)/?$")
# Routes that take a link token; a 404 there is a wrong (possibly guessed) token.
TOKEN_PATHS = re.compile(r"^/(e|v|w)/[^/]+|^/api/v1/assessments/[^/]+")
PDF_PATHS = re.compile(
    r"^/(e|v)/[^/]+/report\.pdf$|^/w/[^/]+/compare/report\.pdf$|^/api/v1/assessments/[^/]+/report\.pdf$"
)
ANY_METHOD = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})


def rules_from(settings: Settings, clock: Callable[[], float] = time.monotonic) -> list[Rule]:
    return [
        Rule("create", frozenset({"POST"}), CREATE_PATHS, _created_or_tried,
             SlidingWindow(settings.rate_limit_create_per_minute, clock=clock),
             "Too many assessments created from your address; try again in a minute."),
        Rule("token-misses", ANY_METHOD, TOKEN_PATHS, _missed,
             SlidingWindow(settings.rate_limit_token_misses_per_minute, clock=clock),
             "Too many unknown links opened from your address; try again in a minute."),
        Rule("pdf", frozenset({"GET", "HEAD"}), PDF_PATHS, _rendered,
             SlidingWindow(settings.rate_limit_pdf_per_minute, clock=clock),
             "Too many PDF reports requested from your address; try again in a minute."),
    ]


def client_key(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimiter:
    """Pure ASGI middleware applying the rules; refused requests get 429 with Retry-After."""

    def __init__(self, app: ASGIApp, *, rules: list[Rule]) -> None:
        self.app = app
        self.rules = rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rules = [rule for rule in self.rules if rule.matches(scope)]
        if not rules:
            await self.app(scope, receive, send)
            return
        key = client_key(scope)
        for rule in rules:
            wait = rule.window.retry_after(key)
            if wait:
                await send_refusal(scope, receive, send, 429, detail=rule.name, message=rule.message,
                                   headers={"Retry-After": str(wait)})
                return

        async def send_and_count(message: Message) -> None:
            if message["type"] == "http.response.start":
                for rule in rules:
                    if rule.counts(message["status"]):
                        rule.window.hit(key)
            await send(message)

        await self.app(scope, receive, send_and_count)
