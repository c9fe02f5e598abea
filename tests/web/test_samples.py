"""The form's voice and background samples: their own small requests, checked by the
Request's specs (no exercise invented to pass validation), problems named by the form's input."""

from __future__ import annotations

import pytest

from .conftest import fake_client, noise_wav

pytestmark = pytest.mark.enable_socket  # TestClient's event loop needs a local socketpair

SAME = {"sec-fetch-site": "same-origin"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("samples")
    with fake_client(folder) as client:
        client.folder = folder
        yield client


@pytest.mark.parametrize(("params", "field", "expect"), [
    ({"voice": "nobody"}, "voice", "Voice: unknown value 'nobody' (allowed: "),
    ({"voice": ""}, "voice", "Voice: missing (allowed: "),
    ({"voice": "joe", "pace": "racing"}, "pace", "Pace: unknown value 'racing'"),
    ({"voice": "joe", "name": "{{ x }}"}, "name", "Client's first name: '{{ x }}' is not"),
    ({"voice": "joe", "say": "Aoife"}, "say", "Pronunciations: "),
])
def test_a_voice_sample_names_the_forms_input(client, params, field, expect):
    answer = client.get("/api/preview/voice", params=params)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert list(errors) == [field] and errors[field].startswith(expect), errors


def test_a_voice_sample_needs_no_exercise(client):
    answer = client.get("/api/preview/voice", params={"voice": "joe", "tone": "calm",
                                                      "name": "Sam", "format": "wav"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "audio/mpeg"


@pytest.mark.parametrize(("params", "field", "expect"), [
    ({"background": "rain", "bed-level": "9"}, "bed-level",
     "Background level (dB): 9 is out of range (allowed: -30 to 6 (dB"),
    ({"background": "rain", "bed-level": "loud"}, "bed-level",
     "Background level (dB): 'loud' is not a number"),
])
def test_a_background_sample_is_checked_by_the_level_s_spec(client, params, field, expect):
    answer = client.get("/api/preview/background", params=params)
    assert answer.status_code == 422
    assert answer.json()["errors"][field].startswith(expect)


def test_a_background_sample_plays_a_listed_bed_and_an_own_sound(client):
    listed = client.get("/api/preview/background", params={"background": "rain",
                                                           "bed-level": "-6", "accessible": "1"})
    assert listed.status_code == 200 and listed.headers["content-type"] == "audio/mpeg"
    sound = noise_wav(client.folder / "own.wav")
    own = client.post("/api/preview/background", headers=SAME,
                      files={"background-file": ("own.wav", sound.read_bytes(), "audio/wav"),
                             "bed-level": (None, "-3")})
    assert own.status_code == 200 and own.headers["content-type"] == "audio/mpeg", own.text
    broken = client.post("/api/preview/background", headers=SAME, files={
        "background-file": ("bad.wav", b"not a sound at all", "audio/wav")})
    assert broken.status_code == 422
    assert broken.json()["errors"]["background-file"].startswith("Background sound: ")
