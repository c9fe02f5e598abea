"""A request's image and place are resolved by the vocabulary once per request: validation
hands its result to the script writer, which writes every form (with --minutes) from it."""

from __future__ import annotations

from collections import Counter

import pytest

from cft_audio import Renderer, Request
from cft_audio.script.vocabulary import Vocabulary


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often Vocabulary.image and Vocabulary.place run (they still do their work)."""
    calls: Counter[str] = Counter()
    for name in ("image", "place"):
        original = getattr(Vocabulary, name)

        def counting(self, *args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Vocabulary, name, counting)
    return calls


@pytest.mark.parametrize(("request_", "how"), [
    (Request("compassionate-other", image="my late father"), "script"),
    (Request("compassionate-other", image="a wise old owl", minutes=8), "script"),
    (Request("safe-place", place="my nan's kitchen", details=("the kettle",), minutes=12),
     "script"),
    (Request("safe-place", place="forest", minutes=6), "preview"),
    (Request("compassionate-other", image="tree", minutes=9), "plan"),
])
def test_image_and_place_are_resolved_once_per_request(counted, request_, how):
    renderer = Renderer()
    counted.clear()
    result = getattr(renderer, how)(request_)
    assert result is not None
    assert counted == Counter(image=1, place=1)


def test_a_plan_carries_the_personalisation_its_script_was_written_from(counted):
    plan = Renderer().plan(Request("compassionate-other", image="my late father", minutes=9),
                           with_output=False)
    assert plan.personal.other.a.lower() == "your late father"
    assert "your late father" in " ".join(plan.script.sentences).lower()
