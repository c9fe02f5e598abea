"""A printable handout of a participant's scripts (HTML with print CSS; Print → PDF anywhere)."""

from __future__ import annotations

from collections.abc import Sequence

import jinja2

from ..player import clock
from .manifest import Programme
from .reading import blocks
from .status import TrackStatus


def handout_html(programme: Programme, statuses: Sequence[TrackStatus]) -> str:
    """One page per track: week, title, length and the script in sections."""
    tracks = [{"week": s.track.week, "title": s.track.title, "clock": clock(s.seconds),
               "blocks": blocks(s.track.script)} for s in statuses]
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.from_string(_PAGE).render(programme=programme, tracks=tracks)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{ programme.title }}: scripts</title>
<style>
body { font: 12pt/1.55 Georgia, "Noto Serif", "Times New Roman", serif; color: #111;
  max-width: 42rem; margin: 2rem auto; padding: 0 1rem; }
header { border-bottom: 1px solid #999; margin-bottom: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0; }
h2 { font-size: 1.3rem; margin: 2rem 0 .25rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; text-transform: uppercase;
  letter-spacing: .04em; color: #444; }
p { margin: 0 0 .35rem; }
.meta { color: #555; margin: 0 0 1rem; }
@page { size: A4; margin: 18mm 16mm; }
@media print { body { margin: 0; max-width: none; } section + section { break-before: page; }
  h2, h3 { break-after: avoid; } }
</style>
</head>
<body>
<header>
<h1>{{ programme.title }}</h1>
<p class="meta">{{ programme.artist }}</p>
</header>
{% for track in tracks %}
<section>
<h2>Week {{ track.week }}: {{ track.title }}</h2>
<p class="meta">{{ track.clock }}</p>
{% for block in track.blocks %}
{% if block.heading %}
<h3>{{ block.heading }}</h3>
{% endif %}
{% for line in block.lines %}
<p>{{ line }}</p>
{% endfor %}
{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""
