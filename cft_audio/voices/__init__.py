"""Speech stage: engines, voice profiles and tone/pace presets."""
