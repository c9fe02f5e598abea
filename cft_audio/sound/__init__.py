"""Sound stage: beds, timeline placement, mixing with ducking, mastering, analysis."""

RATE = 44100
"""Working and output sample rate (Hz)."""
