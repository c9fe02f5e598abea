"""Everything written into and beside the audio: encoding, tags, cover, sidecars, pack page."""
