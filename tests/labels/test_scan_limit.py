"""The per-client scan limit (scan_limit.py): a minute's and a day's budget, each refilled at its
rate, clients apart, and a bounded number of clients remembered."""

from __future__ import annotations

import pytest

from gi_trace.labels.scan_limit import DAY, ScanLimiter

T = 1_800_000_000.0


def allowed(limiter: ScanLimiter, times: list[float], client: str = "203.0.113.7") -> int:
    return sum(limiter.allow(client, at) for at in times)


def test_a_minutes_budget_is_spent_then_refilled_one_scan_a_second() -> None:
    limiter = ScanLimiter(60, 0)
    assert allowed(limiter, [T] * 100) == 60
    assert not limiter.allow("203.0.113.7", T + 0.5)
    assert limiter.allow("203.0.113.7", T + 1)
    assert allowed(limiter, [T + 1 + i / 1000 for i in range(1000)]) == 0  # a flood: nothing more
    assert allowed(limiter, [T + 120]) == 1


def test_a_days_budget_caps_a_flood_that_the_minute_would_let_through() -> None:
    limiter = ScanLimiter(60, 1000)
    flood = [T + i / 1000 for i in range(3_600_000)][::100]  # an hour at 1,000/s, sampled
    assert allowed(limiter, flood) == 1000 + 3600 * 1000 // int(DAY)
    assert allowed(limiter, [T + DAY + 3600]) == 1


@pytest.mark.parametrize(("per_minute", "per_day", "expected"), [
    (0, 0, 500), (5, 0, 5), (0, 7, 7), (5, 7, 5),
], ids=["no-limit", "minute-only", "day-only", "both"])
def test_a_zero_limit_is_no_limit(per_minute: int, per_day: int, expected: int) -> None:
    assert allowed(ScanLimiter(per_minute, per_day), [T] * 500) == expected


def test_clients_have_budgets_of_their_own() -> None:
    limiter = ScanLimiter(2, 0)
    assert allowed(limiter, [T] * 5, "a") == 2
    assert allowed(limiter, [T] * 5, "b") == 2


def test_the_clients_remembered_are_bounded_and_the_oldest_forgotten_first() -> None:
    limiter = ScanLimiter(1, 0, max_clients=100)
    for i in range(50_000):
        limiter.allow(f"2001:db8::{i:x}", T)
    assert len(limiter) == 100
    assert not limiter.allow("2001:db8::c34f", T)  # among the last 100 seen: still limited
    assert limiter.allow("2001:db8::0", T)  # forgotten: a full budget again
