"""Rendering a request: a plan resolved once, then stages that take and return values.

plan.py (the request resolved) → scripts.py (script) → speech.py (speech, cached) →
fit.py (silences fitted, timeline) → mix.py (bed under the voice) → mastering.py
(loudness, limiter, encoding) → record.py (tags, sidecars); renderer.py runs them.
sample.py makes voice samples from the same speech stage; context.py holds RenderContext.
"""

from .context import STAGES, Progress, RenderContext
from .fit import Preview
from .plan import RenderPlan, Voicing
from .record import Result, versions
from .renderer import Renderer, render
from .speech import SpeechJob

__all__ = [
    "STAGES",
    "Preview",
    "Progress",
    "RenderContext",
    "RenderPlan",
    "Renderer",
    "Result",
    "SpeechJob",
    "Voicing",
    "render",
    "versions",
]
