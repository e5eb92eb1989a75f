"""Group commit: appends from many threads of one process share one transaction.

The writer lock and the commit's fsync are the log's serial point. Rather than
pay them once per request, the first waiting thread becomes the leader and
appends every request queued so far in one transaction; the others sleep until
it has committed their statements, and one of them leads the next group. Each
request keeps its own all-or-nothing guarantee: the commit settles each request on
its own (see Log._commit), so one bad request does not fail its neighbours.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .record import Record
from .statement import Envelope


@dataclass
class Request:
    envelopes: Sequence[Envelope]
    pubs: Sequence[bytes]
    records: list[Record] | None = None
    error: BaseException | None = None
    done: bool = False

    @property
    def settled(self) -> bool:
        return self.records is not None or self.error is not None

    def outcome(self) -> list[Record]:
        if self.error is not None:
            raise self.error
        assert self.records is not None
        return self.records


@dataclass
class GroupCommit:
    """Runs `commit(group)`, which must settle (set records or error on) every request. If it
    raises instead, the requests it had not settled yet fail with its error; those it had
    settled keep their outcome (their statements may be committed already)."""

    commit: Callable[[list[Request]], None]
    max_statements: int = 1000
    # Told of each group once it is settled, with the seconds its commit took (the service's
    # metrics set it; the ledger knows nothing of them).
    observer: Callable[[list[Request], float], None] | None = None
    _queue: list[Request] = field(default_factory=list)
    _leading: bool = False
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def submit(self, envelopes: Sequence[Envelope], pubs: Sequence[bytes]) -> list[Record]:
        request = Request(envelopes, pubs)
        with self._cond:
            self._queue.append(request)
            while self._leading and not request.done:
                self._cond.wait()
            if request.done:
                return request.outcome()
            self._leading = True
        try:
            while not request.done:
                group = self._next_group()
                started = time.perf_counter()
                try:
                    self.commit(group)
                except BaseException as e:
                    for waiting in group:
                        if not waiting.settled:
                            waiting.error = e
                finally:
                    with self._cond:
                        for settled in group:
                            settled.done = True
                        self._cond.notify_all()
                    if self.observer is not None:
                        self.observer(group, time.perf_counter() - started)
        finally:
            with self._cond:
                self._leading = False
                self._cond.notify_all()
        return request.outcome()

    def _next_group(self) -> list[Request]:
        with self._cond:
            group: list[Request] = []
            count = 0
            while self._queue and (not group or count + len(self._queue[0].envelopes)
                                   <= self.max_statements):
                count += len(self._queue[0].envelopes)
                group.append(self._queue.pop(0))
            return group
