"""Helpers for page tests: fill an exercise form, wait for the preview, play audio."""

from __future__ import annotations

import json
import urllib.request

PLAYED = """async (selector) => {
  const audio = document.querySelector(selector);
  audio.muted = true;
  await audio.play();
  const start = audio.currentTime;
  // wait until it has played a second (a generous deadline for a loaded machine, not a bound)
  for (let waited = 0; audio.currentTime < start + 1 && waited < 60000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [start, audio.currentTime, audio.duration];
}"""
"""Play an <audio> until it has played a second; returns (start, now, duration) in seconds."""

PHONE = {"width": 390, "height": 844}
"""The phone page tests look at (a common small phone, in CSS pixels)."""
DESKTOP = {"width": 1280, "height": 800}
"""The desktop window page tests look at."""


def preview_settled(page, after: int) -> dict:
    """Wait until the live preview answered a change made after sequence `after`."""
    page.wait_for_function(
        """(n) => {
          const form = document.getElementById('render-form');
          return Number(form.dataset.previewSeq) > n && form.dataset.previewState !== 'pending';
        }""", arg=after)
    form = page.locator("#render-form")
    return {"seq": int(form.get_attribute("data-preview-seq")),
            "state": form.get_attribute("data-preview-state"),
            "clock": page.inner_text("#preview-clock"),
            "text": page.inner_text("#preview-text")}


def preview_seq(page) -> int:
    """The live preview's latest answered request number."""
    return int(page.locator("#render-form").get_attribute("data-preview-seq") or 0)


def fill(page, selector: str, value: str) -> dict:
    """Type into a field and return the preview that follows."""
    seq = preview_seq(page)
    page.fill(selector, value)
    return preview_settled(page, seq)


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""Straight to 127.0.0.1, whatever proxy the environment names."""


def get_json(url: str) -> dict:
    """GET a JSON endpoint of the test server."""
    with _DIRECT.open(url, timeout=10) as response:
        return json.loads(response.read())


class OneFormat:
    """The steps of a one-format render (nothing to report between formats)."""

    def step(self, number: int) -> None:
        """One format only."""


def client_link(base: str, browser, render_id: str) -> str:
    """The client page address the therapist's render page links to."""
    therapist = browser.new_context()
    page = therapist.new_page()
    page.goto(f"{base}/renders/{render_id}")
    link = page.get_attribute("#client-page", "href")
    therapist.close()
    return link


def run_batch(page, base: str, manifest) -> None:
    """Upload a manifest on the batch page, run it, and wait for its result page."""
    page.goto(f"{base}/batch")
    page.set_input_files("#f-manifest", str(manifest))
    page.click("#batch-run")
    page.wait_for_url("**/batch/**")


def page_answers(url: str) -> bool:
    """Whether a GET answers in full with 200 (a generous 60 s socket deadline, not a bound)."""
    with _DIRECT.open(url, timeout=60) as response:
        return response.status == 200 and bool(response.read())


def cancel_on_page(page, url: str, shown: str) -> str:
    """Open a job's page, press Cancel, and return the page's text once `shown` appears."""
    page.goto(url)
    page.click("#cancel")
    page.wait_for_selector(shown)
    return page.inner_text("main")


def says_only(page, text: str, words: str, stale: tuple[str, ...]) -> None:
    """The page says `words` (its title starts with their first word) and nothing `stale`."""
    assert words in text and page.title().startswith(words.split()[0].strip(".…")), text
    for gone in stale:
        assert gone not in text, gone
