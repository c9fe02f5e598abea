"""Tests of the optional Coqui TTS engine on a tiny locally built VITS model."""
