"""Rendering a request: a plan resolved once, then stages that take and return values.

plan.py (the request resolved) → scripts.py (script) → speech.py (speech, cached) →
renderer.laid_out (silences fitted by script/timing.py, then placed by sound/timeline.py) →
mix.py (bed under the voice) → mastering.py (loudness, limiter, encoding) → record.py
(tags, sidecars); renderer.py runs them.
sample.py makes voice samples from the same speech stage; context.py holds RenderContext.
"""

from .context import STAGES, Progress, RenderContext
from .plan import RenderPlan, Voicing
from .record import Result, versions
from .renderer import Renderer, render
from .speech import SpeechJob

__all__ = [
    "STAGES",
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
