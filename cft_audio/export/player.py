"""A self-contained phone player page: tracks, big controls, live captions and the script."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..clock import clock
from ..pages import render_page
from ..practice import FORMAT, MARKER, MAX_NOTE, VERSION, Source


@dataclass(frozen=True)
class PlayerTrack:
    """One track on the player page; hrefs are relative to the page (or any URL it can load)."""

    title: str
    audio_href: str
    captions_href: str | None
    script: str
    """The script as plain text (line breaks kept); shown under "Read the script"."""
    seconds: float


@dataclass(frozen=True)
class Installable:
    """What makes the page an installable, offline web app (served by the app, not a folder)."""

    manifest_href: str
    worker_href: str
    icon_href: str
    download_href: str
    """The audio file to save on the phone (where a service worker cannot run)."""
    name: str = ""
    """The home-screen name (the page's title when empty)."""


FOLDER_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                 "media-src 'self' file: data: blob:; img-src data:")
"""A pack's page, opened from its folder: its own style, script, audio and captions only."""
APP_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
              "media-src 'self' data: blob:; img-src 'self' data:; connect-src 'self'; "
              "manifest-src 'self'; worker-src 'self'")
"""The client page served by the app: also its manifest, icon and service worker."""


def player_html(title: str, tracks: Sequence[PlayerTrack], subtitle: str = "",
                installable: Installable | None = None, practice: Source | None = None) -> str:
    """One self-contained HTML page (inline CSS and JS, no external assets) that plays `tracks`.

    With `installable`, the page links its web app manifest and registers its service
    worker, which keeps the page, audio and captions on the phone for offline listening.
    With `practice`, it carries the practice log (kept in the browser, shared as a file).
    """
    items = [
        {"track": t, "number": n, "clock": clock(t.seconds)}
        for n, t in enumerate(tracks, start=1)
    ]
    return render_page("player.html.j2", title=title, subtitle=subtitle, items=items,
                       app=installable, practice=practice,
                       log_format={"text": MARKER, "format": FORMAT, "version": VERSION,
                               "max_note": MAX_NOTE},
                       policy=Markup(APP_POLICY if installable else FOLDER_POLICY))
