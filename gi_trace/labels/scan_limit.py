"""How many of one client's scans are recorded: a few a minute and a day, in bounded memory.

Scans need no account, so one client replaying one genuine code a thousand times a
second would add millions of rows a day. Past its limit a client's scan still gets
its verdict, but is not recorded and does not count towards copy detection (a flood
from one address says nothing about where copies turn up).

Each limit is a GCRA (a token bucket kept as one number, the time the client's budget
is next full): `per_minute` scans in any minute, and `per_day` in any day, each with
its whole budget as burst. The limits are per process: in memory, because counting in
the database would cost a write per scan, the very thing scans are batched to avoid;
W worker processes record up to W times the limit, still a bound. At most
`max_clients` clients are remembered (the least recently seen is forgotten first, its
budget full again), so the limiter's own memory is bounded too (~300 bytes a client).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

MINUTE, DAY = 60.0, 86400.0
MAX_CLIENTS = 10_000
_ROUNDING = 1e-6  # seconds: a thousand scans of 86.4 s each add up to a day, not a hair more


class ScanLimiter:
    def __init__(self, per_minute: int, per_day: int, *, max_clients: int = MAX_CLIENTS) -> None:
        """A limit of 0 is no limit."""
        self.max_clients = max_clients
        # (seconds one scan uses of the budget, the window) for each limit set
        self._limits = [(window / count, window) for count, window in ((per_minute, MINUTE),
                                                                        (per_day, DAY)) if count > 0]
        self._clients: OrderedDict[str, tuple[float, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._clients)

    def allow(self, client: str, now: float) -> bool:
        """Whether a scan of `client` at `now` (seconds) is recorded; it uses the budget if so."""
        if not self._limits:
            return True
        with self._lock:
            full_at = self._clients.get(client) or (now,) * len(self._limits)
            spent = tuple(max(at, now) + cost for at, (cost, _) in zip(full_at, self._limits,
                                                                        strict=True))
            allowed = all(at - now <= window + _ROUNDING for at, (_, window) in zip(
                spent, self._limits, strict=True))
            self._clients[client] = spent if allowed else full_at
            self._clients.move_to_end(client)
            while len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)
            return allowed
