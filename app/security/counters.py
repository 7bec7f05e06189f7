"""Where rate-limit counts are kept: in this process, or in the database so that every worker and
instance counts together.

One process (the default: SQLite, one worker) keeps exact sliding windows in memory. With several
workers or instances, each would count on its own and a client would get N times the limit, so their
counts go to the database (`ratelimithit`, one row per rule, client and minute) as a sliding-window
counter: the current minute's hits plus the previous minute's, weighted by how much of it is still
inside the last 60 seconds (the estimate Cloudflare and the `limits` library use; at most a few hits
off the exact window, and never letting a steady flood through).
"""

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.models import RateLimitHit

log = logging.getLogger("advisor")

# Length of every window, in seconds: the settings are "per minute".
WINDOW_SECONDS = 60.0
# Clients remembered per rule in memory; beyond this the least recently seen are forgotten (bounded).
MAX_CLIENTS = 10_000
# The `client` column's length; an IPv6 address is at most 45 characters.
MAX_KEY_LENGTH = 64


class Counters(Protocol):
    """Counts of events per rule and client over the last WINDOW_SECONDS."""

    def retry_after(self, rule: str, key: str, limit: int) -> int:
        """Seconds until `key` may act again under `rule`; 0 if it may act now."""

    def hit(self, rule: str, key: str, limit: int) -> None:
        """Count one event."""

    def known_wait(self, rule: str, key: str, limit: int) -> int:
        """Like retry_after, from what this process knows without asking anyone (no I/O)."""


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


class MemoryCounters:
    """Exact sliding windows in this process: right for one process, N x the limit for N."""

    # Memory counts are cheap: the rate limiter calls them on the event loop, not in a thread.
    blocking = False

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._windows: dict[str, SlidingWindow] = {}

    def _window(self, rule: str, limit: int) -> SlidingWindow:
        window = self._windows.get(rule)
        if window is None:
            window = self._windows[rule] = SlidingWindow(limit, clock=self.clock)
        window.limit = limit
        return window

    def retry_after(self, rule: str, key: str, limit: int) -> int:
        return self._window(rule, limit).retry_after(key)

    def hit(self, rule: str, key: str, limit: int) -> None:
        self._windows[rule].hit(key)  # retry_after made the window: a hit always follows a check

    def known_wait(self, rule: str, key: str, limit: int) -> int:
        return self.retry_after(rule, key, limit)  # this process knows every count


class DatabaseCounters:
    """Counts shared by every process using the database: one row per (rule, client, minute).

    A hit is one statement, an atomic upsert (INSERT ... ON CONFLICT DO UPDATE, on SQLite 3.24+ and
    PostgreSQL), run as its own transaction so it holds the SQLite write lock only for that statement.
    Minutes that can no longer count are deleted by the first hit of each new minute in each process.

    When the database cannot be reached, nothing is counted and nothing refused: the request meets the
    same outage in its own handler and gets the app's 503, never a 500 from here.

    A hit also tells this process whether the client is now over the limit, and it remembers that until
    the wait is over (`known_wait`): so a rule checked often and counted rarely (a 404 on one of the
    many routes taking a link token) is checked without a database call, at the price of each other
    process answering one more counted request before it learns of the block.
    """

    # Each call is a database round trip: the rate limiter runs them in a worker thread.
    blocking = True

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        # Wall-clock time, not monotonic: every process and machine must agree on the minute.
        self.clock = clock
        # Each statement its own transaction: no BEGIN on SQLite (see app.db), AUTOCOMMIT elsewhere.
        options = ({"sqlite_begin": None} if engine.dialect.name == "sqlite"
                   else {"isolation_level": "AUTOCOMMIT"})
        self.engine = engine.execution_options(**options)
        self._insert = (sqlite.insert if engine.dialect.name == "sqlite" else postgresql.insert)
        self._cleaned_minute = -1
        # (rule, key) -> wall-clock time until which this process knows the key is over its limit.
        self._blocked: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._blocked_lock = threading.Lock()  # hits run in worker threads, checks on the event loop

    def _minute(self, now: float) -> int:
        return int(now // WINDOW_SECONDS) * int(WINDOW_SECONDS)

    def retry_after(self, rule: str, key: str, limit: int) -> int:
        now = self.clock()
        current = self._minute(now)
        previous = current - int(WINDOW_SECONDS)
        query = select(RateLimitHit.window_start, RateLimitHit.hits).where(
            RateLimitHit.rule == rule, RateLimitHit.client == key[:MAX_KEY_LENGTH],
            RateLimitHit.window_start >= previous)
        try:
            with self.engine.connect() as connection:
                counts = dict(connection.execute(query).all())
        except SQLAlchemyError as error:
            log.warning("rate-limit counts unavailable: %s", error.__class__.__name__)
            return 0
        wait = wait_seconds(now, current, counts.get(previous, 0), counts.get(current, 0), limit)
        self._remember(rule, key, now, wait)
        return wait

    def hit(self, rule: str, key: str, limit: int | None = None) -> None:
        """Count one event; with `limit`, remember whether the key is now over it (see known_wait)."""
        now = self.clock()
        current = self._minute(now)
        values = {"rule": rule, "client": key[:MAX_KEY_LENGTH], "window_start": current, "hits": 1}
        upsert = self._insert(RateLimitHit).values(**values)
        upsert = upsert.on_conflict_do_update(
            index_elements=["rule", "client", "window_start"], set_={"hits": RateLimitHit.hits + 1},
        ).returning(RateLimitHit.hits)
        try:
            with self.engine.connect() as connection:
                current_hits = connection.execute(upsert).scalar_one()
                if limit is not None:  # did this hit fill the window? (the previous minute counts too)
                    previous_hits = connection.execute(select(RateLimitHit.hits).where(
                        RateLimitHit.rule == rule, RateLimitHit.client == key[:MAX_KEY_LENGTH],
                        RateLimitHit.window_start == current - int(WINDOW_SECONDS))).scalar() or 0
                    wait = wait_seconds(now, current, previous_hits, current_hits, limit)
                    self._remember(rule, key, now, wait)
                if current != self._cleaned_minute:
                    self._cleaned_minute = current
                    connection.execute(delete(RateLimitHit).where(
                        RateLimitHit.window_start < current - int(WINDOW_SECONDS)))
                connection.commit()
        except SQLAlchemyError as error:
            log.warning("rate-limit count not kept: %s", error.__class__.__name__)

    def _remember(self, rule: str, key: str, now: float, wait: int) -> None:
        if not wait:
            return
        with self._blocked_lock:
            self._blocked[(rule, key)] = now + wait
            self._blocked.move_to_end((rule, key))
            if len(self._blocked) > MAX_CLIENTS:
                self._blocked.popitem(last=False)

    def known_wait(self, rule: str, key: str, limit: int) -> int:
        until = self._blocked.get((rule, key))
        if until is None:
            return 0
        wait = until - self.clock()
        if wait <= 0:
            with self._blocked_lock:
                self._blocked.pop((rule, key), None)
            return 0
        return max(1, math.ceil(wait))


def wait_seconds(now: float, current: int, previous_hits: int, current_hits: int, limit: int) -> int:
    """Seconds until the weighted count of the last minute drops below `limit`; 0 if it is below."""
    elapsed = now - current
    if previous_hits * (1 - elapsed / WINDOW_SECONDS) + current_hits < limit:
        return 0
    if current_hits >= limit:
        # Only the next minute helps: this one's hits then weigh less as that minute goes on.
        after_next = WINDOW_SECONDS * (1 - limit / current_hits) if current_hits else 0.0
        wait = WINDOW_SECONDS - elapsed + after_next
    else:
        # The previous minute's weight falls until the sum drops below the limit.
        wait = WINDOW_SECONDS * (1 - (limit - current_hits) / previous_hits) - elapsed
    return max(1, math.ceil(wait))
