"""Standalone HTML pages (a pack's player, a printable handout, a batch summary) from templates.

The templates are files in `cft_audio/templates/`, apart from the web app's own: these
pages are written into folders and zips without the app, and carry their own style and
script (no navigation, no CSRF field, no external assets).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"
"""The folder of page templates (`.html.j2`) and the style and script they include."""


def render_page(name: str, **context: object) -> str:
    """The page template `name` rendered with `context` (HTML-escaped, undefined names fail)."""
    return _environment().get_template(name).render(**context)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """The one template environment (it caches the compiled templates)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True)
