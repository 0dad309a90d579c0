"""Sessions share results, not state: the process-wide store computes each key once,
lets late callers wait for a computation in flight, survives a cancelled owner and stays
bounded; two dashboards on one scenario cost one propagation and one run per analysis."""
from __future__ import annotations

import threading
import time

import pytest

from workbench.dashboard.recompute import Cancelled, SharedResults, SharedStore, result_key

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_concurrent_callers_compute_once():
    store = SharedStore(8)
    calls: list[int] = []
    started = threading.Event()

    def compute() -> str:
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return "value"

    out: list[tuple] = []
    threads = [threading.Thread(target=lambda: out.append(store.get("k", compute)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(calls) == 1 and store.n_computed == 1
    assert sorted(out) == [("value", False)] * 7 + [("value", True)]


def test_a_cancelled_owner_hands_over_to_a_waiter():
    store = SharedStore(8)
    owner_in = threading.Event()
    release = threading.Event()

    def cancelled() -> str:
        owner_in.set()
        release.wait(10)
        raise Cancelled

    errors: list[BaseException] = []

    def owner() -> None:
        try:
            store.get("k", cancelled)
        except Cancelled as exc:
            errors.append(exc)

    t = threading.Thread(target=owner)
    t.start()
    assert owner_in.wait(10)
    waiter_out: list[tuple] = []
    w = threading.Thread(target=lambda: waiter_out.append(store.get("k", lambda: "mine")))
    w.start()
    time.sleep(0.1)
    assert waiter_out == []  # waiting for the owner
    release.set()
    t.join(10)
    w.join(10)
    assert len(errors) == 1  # the cancellation reaches the owner only
    assert waiter_out == [("mine", True)]


def test_a_waiter_that_is_cancelled_stops_waiting():
    store = SharedStore(8)
    release = threading.Event()
    t = threading.Thread(target=lambda: store.get("k", lambda: release.wait(10)))
    t.start()
    time.sleep(0.05)
    stop = threading.Event()

    def check() -> None:
        if stop.is_set():
            raise Cancelled

    threading.Timer(0.1, stop.set).start()
    with pytest.raises(Cancelled):
        store.get("k", lambda: "never", check)
    release.set()
    t.join(10)
    assert store.get("k", lambda: "again") == (True, False)  # the owner's value stayed


def test_the_store_is_bounded_least_recently_used_first():
    store = SharedStore(3)
    for k in "abc":
        store.get(k, lambda k=k: k)
    store.get("a", lambda: "recomputed")  # a is now the most recent
    store.get("d", lambda: "d")
    assert store.get("a", lambda: "recomputed") == ("a", False)
    assert store.get("b", lambda: "b again") == ("b again", True)  # b was dropped


def test_result_key_follows_upstream_inputs(small_scenario):
    from workbench.analyses import registry

    business = registry.analysis("business")
    capacity = registry.analysis("capacity")
    options = small_scenario.options
    edited = small_scenario.replace(options=options.replace(
        capacity=options.capacity.model_copy(
            update={"utilisation_frac": options.capacity.utilisation_frac / 2})))
    assert result_key(capacity, edited) != result_key(capacity, small_scenario)
    # business reads capacity's result: a capacity edit changes business's key too
    assert result_key(business, edited) != result_key(business, small_scenario)
    renamed = small_scenario.replace(name="another name")
    assert result_key(business, renamed) == result_key(business, small_scenario)


def test_two_sessions_propagate_once_and_run_each_analysis_once(small_scenario,
                                                                 monkeypatch):
    from workbench.dashboard import recompute
    from workbench.dashboard.app import Dashboard

    shared = SharedResults()
    monkeypatch.setattr(recompute, "SHARED", shared)
    boards = [Dashboard(small_scenario, globe_quality="cheap") for _ in range(2)]
    try:
        assert all(b.recomputer.wait_idle(120) for b in boards)
        assert shared.geometries.n_computed == 1
        assert shared.results.n_computed == len(boards[0].analyses)
        a, b = boards
        assert set(a.outcomes) == set(b.outcomes) == {s.name for s in a.analyses}
        for name in a.outcomes:
            assert a.outcomes[name].result is b.outcomes[name].result  # one shared result
        # an edit in one session is computed for it alone and reaches no other session
        a.model_forms["economics"].params.compute_price_usd_per_tops_hour = 3.0
        assert a.recomputer.wait_idle(120)
        assert a.outcomes["business"].result is not b.outcomes["business"].result
        assert b.scenario.economics == small_scenario.economics
    finally:
        for board in boards:
            board.close()
