"""What all workers share through Redis: one request rate, and a broadcast's lease.

The rate is a GCRA-style reservation: each call reserves the next free slot, `1/rps` (times MARGIN)
after the previous one, in one Lua script that reads Redis's own clock (TIME), so hosts whose
clocks disagree still share one schedule; the caller sleeps until its slot, and a caller that wakes
more than LATE after its slot (a thread kept from the GIL, a paused process) leaves that slot
unused and reserves another: sent late, it would crowd the slots after it. No one-second window of
slots holds more than `rps` of them; MARGIN (10 %) keeps that true where LINE counts, absorbing up
to 100 ms between a slot and the request's arrival (building and writing the request, the network;
against linefake, with 1 % 2 runs of 3 had 21 requests in a window at 20 per second, and with 10 %
but no LATE check one loaded CI run did). The cost: at most about 182 per second at
BROADCAST_RPS=200. The key (`dip:bcrate`, the next free slot in microseconds) lives one second
past the last slot.

A lease is held by one job at a time (SET NX PX) and only its holder renews or releases it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

RATE_KEY = "dip:bcrate"
MARGIN = 1.10
LATE = 0.02  # seconds
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local after = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', math.floor((after - now) / 1000) + 1000)
return slot - now
"""
RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class Limiter:
    def __init__(self, r: Any, rps: float, key: str = RATE_KEY, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.key, self.sleep, self.clock = key, sleep, clock
        self.interval_us = round(1_000_000 * MARGIN / rps)
        self._reserve = r.register_script(RESERVE)

    def reserve(self) -> float:
        """Seconds until the slot just reserved."""
        return int(self._reserve(keys=[self.key], args=[self.interval_us])) / 1_000_000

    def wait(self) -> float:
        """Reserve a slot and sleep until it comes (another if woken late); returns the seconds slept."""
        slept = 0.0
        while True:
            delay = self.reserve()
            due = self.clock() + max(0.0, delay)
            if delay > 0:
                self.sleep(delay)
                slept += delay
            if self.clock() - due <= LATE:
                return slept


class Lease:
    def __init__(self, r: Any, key: str, ms: int) -> None:
        self.r, self.key, self.ms, self.token = r, key, ms, uuid.uuid4().hex
        self._renew, self._release = r.register_script(RENEW), r.register_script(RELEASE)

    def take(self) -> bool:
        return bool(self.r.set(self.key, self.token, nx=True, px=self.ms))

    def renew(self) -> bool:
        """False: the lease expired (and may be another's now)."""
        return bool(self._renew(keys=[self.key], args=[self.token, self.ms]))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.token])
