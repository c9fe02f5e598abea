"""The one clock: m:ss to the nearest second (a half second up), and HH:MM:SS.mmm stamps."""

from __future__ import annotations

import pytest

from cft_audio.clock import clock, timestamp


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0:00"),
    (0.49, "0:00"),
    (0.5, "0:01"),
    (59.4, "0:59"),
    (59.5, "1:00"),
    (59.6, "1:00"),
    (119.6, "2:00"),
    (599.7, "10:00"),
    (605, "10:05"),
    (2.5, "0:03"),
    (3599.4, "59:59"),
    (3599.6, "1:00:00"),
    (3725, "1:02:05"),
    (-3, "0:00"),
])
def test_clock(seconds, text):
    assert clock(seconds) == text


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "00:00:00.000"),
    (3723.0126, "01:02:03.013"),
    (59.9996, "00:01:00.000"),
])
def test_timestamp(seconds, text):
    assert timestamp(seconds) == text
