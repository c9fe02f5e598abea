"""The renderer pool's listener: what a message leads to never stops it from reading on."""

from __future__ import annotations

import logging

import pytest

from cft_audio.workers import current
from cft_audio.workers.pool import RendererPool

pytestmark = pytest.mark.enable_socket  # the fork server's own Unix socket (no network)


def reporting_task() -> str:
    """A task that reports progress once, then finishes."""
    current().report("speech", 0.5)
    return "finished"


def test_a_progress_callback_that_fails_is_logged_and_the_task_still_finishes(caplog):
    def failing(token: str, step: int, stage: str, fraction: float) -> None:
        raise RuntimeError("a progress callback that fails")

    caplog.set_level(logging.ERROR, logger="cft_audio.workers.pool")
    pool = RendererPool(1, progress=failing)
    try:
        first = pool.submit(reporting_task, token="a")
        assert first.result(timeout=60) == "finished"
        second = pool.submit(reporting_task, token="b")  # the pool still serves
        assert second.result(timeout=60) == "finished"
    finally:
        pool.stop()
    assert any("could not be handled" in r.getMessage() for r in caplog.records)
