"""Wrong access tokens slow down, per client address, without holding up anyone else.

Each address's tries are checked one at a time. The n-th wrong try in a row is answered
after `delay(n)` seconds (0.25 s more each time, at most `MAX_DELAY`), and the address's
next try is not checked before then, so guesses sent side by side wait their turn just
as guesses sent one after another do. Twenty wrong tries take 52.5 s in all. A right
token is checked at once (once any wait still running for that address is over) and
clears the count; so does an hour without a wrong try. Waiting is an `await` on the
injected sleeper (`asyncio.sleep` in the app), so other requests go on meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

STEP = 0.25
"""Seconds added to the wait for each wrong try in a row."""
MAX_DELAY = 10.0
"""The longest wait after one wrong try."""
FORGET_SECONDS = 3600.0
"""An address with no wrong try for this long starts again from no wait."""
MAX_ADDRESSES = 4096
"""Addresses remembered at once; quiet ones are forgotten first past this."""
Sleep = Callable[[float], Awaitable[None]]


def delay(failures: int) -> float:
    """The wait after the `failures`-th wrong try in a row."""
    return min(STEP * failures, MAX_DELAY)


@dataclass
class _Address:
    """One client address: its wrong tries in a row, and when it may try again."""

    failures: int = 0
    last: float = 0.0
    until: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Throttle:
    """Checks offered tokens per client address, slowing down wrong ones."""

    def __init__(self, sleep: Sleep = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.sleep = sleep
        self.clock = clock
        self._addresses: dict[str, _Address] = {}

    async def admits(self, address: str, right: Callable[[], bool]) -> bool:
        """Whether `right()` holds for this try; a wrong try returns only after its wait."""
        record = self._record(address)
        async with record.lock:  # one check at a time for each address
            waiting = record.until - self.clock()
            if waiting > 0:
                await self.sleep(waiting)
            if self.clock() - record.last > FORGET_SECONDS:
                record.failures = 0
            if right():
                record.failures = 0
                return True
            record.failures += 1
            record.last = self.clock()
            wait = delay(record.failures)
            record.until = record.last + wait
        await self.sleep(wait)
        return False

    def failures(self, address: str) -> int:
        """Wrong tries in a row from `address` (0 for an address not seen)."""
        record = self._addresses.get(address)
        return record.failures if record else 0

    def _record(self, address: str) -> _Address:
        if address not in self._addresses and len(self._addresses) >= MAX_ADDRESSES:
            self._forget_quiet()
        return self._addresses.setdefault(address, _Address())

    def _forget_quiet(self) -> None:
        """Drop addresses not waiting and not checked now (the quietest first)."""
        now = self.clock()
        quiet = sorted((r.last, a) for a, r in self._addresses.items()
                       if r.until <= now and not r.lock.locked())
        for _, address in quiet[: max(1, len(quiet) // 2)]:
            del self._addresses[address]
