"""A cancelled job is "stopping" until its worker lets go, then "cancelled"; pages say so."""

from __future__ import annotations

import functools
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cft_audio.web import Settings
from cft_audio.web.jobs import JobQueue

from .conftest import fake_batch_context, fake_render_context
from .pages import DESKTOP, PHONE, cancel_on_page, says_only
from .server import serving

pytestmark = pytest.mark.enable_socket


def hold(gate: str, renderer: object, steps: object, stubborn: bool = False) -> str:
    """A task that never reports progress (so never sees a cancel) until `gate` exists.

    A stubborn one also ignores SIGTERM while it waits, so only SIGKILL, the stop policy's
    last step, ends it early: the stopping state then lasts long enough to be seen.
    """
    before = signal.signal(signal.SIGTERM, signal.SIG_IGN) if stubborn else None
    try:
        while not Path(gate).exists():
            time.sleep(0.02)
    finally:
        if before is not None:
            signal.signal(signal.SIGTERM, before)
    return "let go"


def soon(test: Callable[[], bool], seconds: float = 60) -> bool:
    """Whether `test` comes true within a generous deadline (a wait, not a bound)."""
    deadline = time.monotonic() + seconds
    while not test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def queue(tmp_path: Path):
    """A one-worker job queue with the fake voice."""
    jobs = JobQueue(fake_render_context(tmp_path), workers=1)
    yield jobs
    jobs.shutdown()


def _running(queue: JobQueue, gate: Path, stubborn: bool = True):
    """A held job, once its worker has started it."""
    job = queue.submit("Held", functools.partial(hold, str(gate), stubborn=stubborn))
    assert soon(lambda: queue.pool.busy(job.id) and job.future.running())
    return job


def test_a_cancelled_job_stops_until_its_worker_lets_go(queue, tmp_path):
    gate = tmp_path / "gate"
    job = _running(queue, gate)
    assert queue.cancel(job.id)
    assert job.state == "stopping" and job.cancelled and not job.active
    assert queue.get(job.id).as_json()["label"] == "Stopping…"
    assert not queue.cancel(job.id)  # once is enough
    gate.touch()
    assert soon(lambda: job.state == "cancelled")
    assert job.result is None and job.error == ""  # what it returned on its way out is dropped
    assert not queue.pool.busy(job.id)


def test_a_worker_that_never_lets_go_is_stopped_by_the_policy(queue, tmp_path):
    job = _running(queue, tmp_path / "never", stubborn=False)
    queue.cancel(job.id)
    assert job.state == "stopping"
    assert soon(lambda: job.state == "cancelled")  # SIGTERM after the grace period
    assert not queue.pool.busy(job.id)


def test_a_job_cancelled_before_it_starts_is_cancelled_at_once(queue, tmp_path):
    gate = tmp_path / "gate"
    first = _running(queue, gate)
    waiting = queue.submit("Waiting", functools.partial(hold, str(gate)))
    queue.cancel(waiting.id)
    assert waiting.state == "cancelled"  # nothing ran: nothing to wait for
    gate.touch()
    assert soon(lambda: first.state == "done") and first.result == "let go"


def _stop_after(queue: JobQueue, gate: Path) -> None:
    """The pool's stop policy starts only once `gate` exists, so the stopping state lasts
    as long as the page test needs, however slowly the page loads (not a timed window)."""
    drain = queue.pool.drain

    def gated(token: str | None = None) -> None:
        while not gate.exists():
            time.sleep(0.02)
        drain(token)

    queue.pool.drain = gated  # type: ignore[method-assign]


def test_the_page_says_stopping_then_cancelled(browser, tmp_path, screenshots):
    gate = tmp_path / "gate"
    settings = Settings(output=tmp_path / "out", context=fake_render_context(tmp_path),
                        workers=1, batch_context=fake_batch_context)
    with serving(settings) as (base, app):
        jobs = app.state.web.jobs
        job = _running(jobs, gate)
        _stop_after(jobs, gate)
        page = browser.new_page(viewport=PHONE)
        text = cancel_on_page(page, f"{base}/jobs/{job.id}", "#job-stopping")
        says_only(page, text, "Stopping…", ("Cancelled", "Rendering", "%", "Cancel this"))
        assert "bad" not in page.get_attribute("#job-stopping", "class")  # calm, no error red
        page.screenshot(path=screenshots / "render-stopping-phone-390x844.png")
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=screenshots / "render-stopping-desktop-1280x800.png")
        gate.touch()
        page.wait_for_selector("#job-cancelled")  # the page follows on its own
        text = page.inner_text("main")
        assert "Cancelled." in text and "Stopping" not in text
        page.close()
