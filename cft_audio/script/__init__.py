"""Script stage: exercise templates → personalised, timed cues."""
