"""Page weight: bytes a first visit to the library, a recording page and the client page loads.

Usage: python benchmarks/page_weight.py
Serves the app on loopback with one 4-minute render (the tests' fake voice, so no model is
needed), opens each page in a fresh headless Chromium context and sums what came over the
network (headers and bodies), with and without the audio. It also lists every host asked,
which must be the app alone (no CDN).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from cft_audio.pipeline import Renderer  # noqa: E402
from cft_audio.request import Request  # noqa: E402
from cft_audio.web import Settings  # noqa: E402
from cft_audio.web.renders import render_new  # noqa: E402
from tests.browser import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.web.conftest import fake_render_context  # noqa: E402
from tests.web.pages import OneFormat  # noqa: E402
from tests.web.server import serving  # noqa: E402


def weigh(browser, url: str) -> tuple[int, int, set[str]]:
    """(bytes in all, bytes of audio, hosts asked) for a first visit to `url`."""
    context = browser.new_context()
    page = context.new_page()
    sizes: dict[str, int] = {}
    hosts: set[str] = set()

    def finished(request) -> None:  # noqa: ANN001
        hosts.add(request.url.split("/")[2])
        found = request.sizes()
        sizes[request.url] = found["responseBodySize"] + found["responseHeadersSize"]

    page.on("requestfinished", finished)
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(1500)  # the service worker's own fetches
    context.close()
    audio = sum(v for k, v in sizes.items() if "/audio." in k or k.endswith(".mp3"))
    return sum(sizes.values()), audio, hosts


def main() -> None:
    """Print each page's weight."""
    folder = Path(tempfile.mkdtemp())
    output = folder / "output"
    output.mkdir()
    context = fake_render_context(folder)
    request = Request("safe-place", name="Noor", minutes=4, background="ocean", mono=True)
    render_id = render_new(Renderer(context), OneFormat(), request, ("mp3",), output)
    with serving(Settings(output=output, context=context)) as (base, _app), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=list(CHROMIUM_ARGS))
        page = browser.new_page()
        page.goto(f"{base}/renders/{render_id}")
        client = base + page.get_attribute("#client-page", "href")
        for name, url in (("library", f"{base}/library"),
                          ("recording", f"{base}/renders/{render_id}"), ("client", client)):
            total, audio, hosts = weigh(browser, url)
            print(f"{name}: {total - audio} bytes without audio, {total} with it; "
                  f"hosts asked: {len(hosts)} (the app only: {hosts == {base.split('/')[2]}})")
        browser.close()


if __name__ == "__main__":
    main()
