"""The serving process collects garbage less often and leaves its long-lived objects alone."""

from __future__ import annotations

import gc

from bot.process_tuning import YOUNGEST_GENERATION_THRESHOLD, tune_garbage_collector


def test_the_youngest_generation_is_collected_less_often_and_startup_objects_are_frozen():
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        threshold = gc.get_threshold()
        assert threshold[0] == YOUNGEST_GENERATION_THRESHOLD > before[0]
        assert threshold[1:] == before[1:]
        assert gc.get_freeze_count() > 0
        # garbage cycles are still collected
        cycle: list = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
