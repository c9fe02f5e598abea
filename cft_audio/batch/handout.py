"""A printable handout of a participant's scripts (HTML with print CSS; Print → PDF anywhere)."""

from __future__ import annotations

from collections.abc import Sequence

from ..clock import clock
from ..pages import render_page
from .manifest import Programme
from .reading import blocks
from .status import TrackStatus


def handout_html(programme: Programme, statuses: Sequence[TrackStatus]) -> str:
    """One page per track: week, title, length and the script in sections."""
    tracks = [{"week": s.track.week, "title": s.track.title, "clock": clock(s.seconds),
               "blocks": blocks(s.track.script)} for s in statuses]
    return render_page("handout.html.j2", programme=programme, tracks=tracks)
