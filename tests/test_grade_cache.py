"""The hot path's caches hold at most two generations and keep the entries in use."""

from __future__ import annotations

from bot.grade_cache import MISSING, TwoGenerations


def test_bounded_at_two_generations_however_many_keys() -> None:
    cache = TwoGenerations(100)
    for n in range(10_000):
        cache.keep(n, str(n))
    assert len(cache) <= 200 and len(cache.young) <= 100
    assert cache.recall(0) is MISSING  # long gone
    assert cache.young.get(9_999) == "9999"  # the newest is where lookups go first


def test_an_entry_used_since_the_last_turn_survives_it() -> None:
    cache = TwoGenerations(100)
    young = cache.young  # the hot path holds this very dict
    cache.keep("hot", 1)
    for n in range(1_000):
        cache.keep(n, n)
        if "hot" not in young:  # a miss on the hot path: look in the older generation
            assert cache.recall("hot") == 1
    assert young is cache.young and young["hot"] == 1
    assert cache.recall("never") is MISSING


def test_none_is_a_value_not_a_miss() -> None:
    cache = TwoGenerations(1)
    cache.keep("bad causes", None)
    cache.keep("other", 2)  # turns the generation
    assert cache.recall("bad causes") is None
