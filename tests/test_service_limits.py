"""The service's in-memory rate limit gives the answers of the ``limits`` package's moving
window on its memory storage (hits allowed, reset time), client by client."""

from __future__ import annotations

import random

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from ortgeo.service.limits import MovingWindow


@pytest.mark.parametrize(("rate", "seed"), [("3/second", 0), ("5/2 seconds", 1), ("50/second", 2)])
def test_moving_window_answers_as_limits(monkeypatch, rate: str, seed: int) -> None:
    clock = [1_000.0]
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: clock[0])
    item = parse(rate)
    theirs = MovingWindowRateLimiter(MemoryStorage())
    ours = MovingWindow(item.amount, item.get_expiry())
    rng = random.Random(seed)
    clients = ["10.0.0.1", "10.0.0.2"]
    refused = 0
    for _ in range(3_000):
        step = rng.choice([0.0, 0.05, 0.1, 0.2, 0.5, 2.0]) / item.amount
        clock[0] += step * item.get_expiry()
        who = rng.choice(clients)
        allowed = theirs.hit(item, who)
        assert ours.hit(who, now=clock[0]) == allowed
        if not allowed:
            refused += 1
            reset = theirs.get_window_stats(item, who).reset_time
            assert ours.reset_time(who, now=clock[0]) == pytest.approx(reset, abs=1e-9)
    assert refused > 100  # the limit was met often


def test_silent_clients_are_dropped() -> None:
    window = MovingWindow(2, 1.0)
    for i in range(100):
        assert window.hit(f"c{i}", now=10.0)
    assert len(window) == 100
    assert window.hit("late", now=12.0) and len(window) == 1


def test_a_zero_limit_refuses_everything_as_limits_does() -> None:
    theirs = MovingWindowRateLimiter(MemoryStorage())
    assert not theirs.hit(parse("0/second"), "a")
    assert not MovingWindow(0, 1.0).hit("a", now=1.0)
