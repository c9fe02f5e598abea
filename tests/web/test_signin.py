"""Signing in: a signed session id (not the token), sign-out, wrong tokens slowed per address."""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path

import httpx
import pytest
from itsdangerous import Signer
from starlette.testclient import TestClient

from cft_audio.web import Settings, create_app
from cft_audio.web.session import IDLE_SECONDS, SIGNIN_COOKIE, SignIns
from cft_audio.web.throttle import Throttle, delay

from .conftest import fake_render_context, run_apart
from .test_security import _fake_render

pytestmark = pytest.mark.enable_socket  # TestClient's event loop needs a local socketpair

TOKEN = "correct-horse-battery-staple"
SAME = {"sec-fetch-site": "same-origin"}


class FakeTime:
    """A clock that moves only when something sleeps on it; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        """The current fake time (seconds)."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Note the wait and move the clock on (nothing waits for real)."""
        self.slept.append(seconds)
        self.now += seconds


def settings_for(tmp_path: Path, time: FakeTime, host: str = "0.0.0.0") -> Settings:
    """A tokened app on the fake voice, its waits and clock on `time`."""
    return Settings(output=tmp_path / "out", host=host, token=TOKEN, workers=1,
                    context=fake_render_context(tmp_path), sleep=time.sleep, clock=time.clock)


@pytest.fixture
def time() -> FakeTime:
    """The fake clock and sleeper of one test."""
    return FakeTime()


@pytest.fixture
def app(tmp_path: Path, time: FakeTime):
    """A LAN app with a token; its job queue is shut down afterwards."""
    made = create_app(settings_for(tmp_path, time))
    yield made
    made.state.web.jobs.shutdown()


def browser(app, address: str = "192.0.2.10", https: bool = False) -> TestClient:
    """A browser at `address` that does not follow redirects."""
    return TestClient(app, base_url="https://testserver" if https else "http://testserver",
                      follow_redirects=False, client=(address, 50000))


def sign_in(client: TestClient, token: str = TOKEN, **fields: str):
    """Post the sign-in form as the app's own page would."""
    return client.post("/login", data={"token": token, "next": "/library", **fields},
                       headers=SAME)


def csrf_of(client: TestClient) -> str:
    """The CSRF token of the client's session, from the sign-out form in the nav."""
    page = client.get("/library")
    assert page.status_code == 200
    return re.search(r'id="sign-out-form">\s*<input type="hidden" name="csrf" value="([^"]+)"',
                     page.text).group(1)


def test_the_cookie_is_a_signed_random_session_id_not_the_token(app, tmp_path, time):
    client = browser(app)
    first = sign_in(client)
    assert first.status_code == 303 and first.headers["location"] == "/library"
    value = client.cookies[SIGNIN_COOKIE]
    header = first.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Secure" not in header
    digests = {hashlib.sha256(TOKEN.encode()).hexdigest(), hashlib.md5(TOKEN.encode()).hexdigest()}
    assert TOKEN not in value and not any(d[:16] in value for d in digests)
    again = browser(app, "192.0.2.11")
    sign_in(again)
    assert again.cookies[SIGNIN_COOKIE] != value  # a fresh random id each time
    assert client.get("/library").status_code == 200
    # what someone holding only the token could make is refused: the token itself, or the
    # token signed under any secret but this process's own
    for forged in (TOKEN, Signer(TOKEN).sign(TOKEN).decode(), value.rsplit(".", 1)[0] + ".x",
                   Signer(b"guess", salt="cft-audio sign-in").sign(value.split(".")[0]).decode()):
        other = browser(app, "192.0.2.12")
        other.cookies.set(SIGNIN_COOKIE, forged)
        assert other.get("/library").status_code == 401, forged
    assert time.slept == []  # no wrong token was offered: nothing waited


def test_over_https_the_cookie_is_secure(app):
    client = browser(app, https=True)
    assert "; Secure" in sign_in(client).headers["set-cookie"]


def test_signing_out_ends_the_session_and_its_old_cookie_is_refused(app):
    client = browser(app)
    sign_in(client)
    value = client.cookies[SIGNIN_COOKIE]
    csrf = csrf_of(client)
    assert client.post("/logout", data={"csrf": "guessed"}).status_code == 403  # CSRF holds
    assert client.get("/library").status_code == 200  # still signed in
    out = client.post("/logout", data={"csrf": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/login?signed-out=1"
    assert "Max-Age=0" in out.headers["set-cookie"]
    page = client.get("/login?signed-out=1")
    assert page.status_code == 200 and "You have signed out." in page.text
    stale = browser(app, "192.0.2.13")
    stale.cookies.set(SIGNIN_COOKIE, value)  # the old cookie, kept by someone
    refused = stale.get("/library")
    assert refused.status_code == 401 and "Your sign-in has ended" in refused.text
    assert app.state.access.signins.count() == 0


def test_twenty_wrong_tokens_take_at_least_ten_seconds_then_the_right_one_signs_in_at_once(
        app, time):
    client = browser(app)
    for n in range(1, 21):
        wrong = sign_in(client, f"wrong-token-{n}")
        assert wrong.status_code == 401 and "not the access token" in wrong.text
    assert len(time.slept) == 20 and sum(time.slept) >= 10.0
    assert time.slept == sorted(time.slept)  # each wrong try waits longer
    before = len(time.slept)
    right = sign_in(client)
    assert right.status_code == 303 and SIGNIN_COOKIE in client.cookies
    assert time.slept[before:] == []  # no wait at all for the right token
    assert app.state.access.throttle.failures("192.0.2.10") == 0


def test_other_addresses_are_not_slowed(app, time):
    attacker = browser(app, "192.0.2.66")
    for n in range(20):
        sign_in(attacker, f"guess-{n}")
    before = len(time.slept)
    therapist = browser(app, "192.0.2.10")
    assert sign_in(therapist).status_code == 303
    assert time.slept[before:] == []
    typo = browser(app, "192.0.2.11")
    assert sign_in(typo, "a-typo").status_code == 401
    assert time.slept[before:] == [delay(1)]  # a first wrong try: the first, short wait


def test_header_and_address_tokens_go_through_the_same_throttle(app, time):
    client = browser(app)
    assert client.get("/library", headers={"x-cft-token": "wrong-1"}).status_code == 401
    assert client.get("/library?token=wrong-2").status_code == 401
    assert client.get("/library", headers={"authorization": "Bearer wrong-3"}).status_code == 401
    assert time.slept == [delay(1), delay(2), delay(3)]
    assert client.get("/library", headers={"x-cft-token": TOKEN}).status_code == 200
    moved = client.get("/library?token=" + TOKEN)
    assert moved.status_code == 303 and moved.headers["location"] == "/library"
    assert TOKEN not in moved.headers["set-cookie"]
    assert len(time.slept) == 3


def test_restarting_the_app_revokes_every_session(tmp_path, time):
    first = create_app(settings_for(tmp_path, time))
    client = browser(first)
    sign_in(client)
    value = client.cookies[SIGNIN_COOKIE]
    assert client.get("/library").status_code == 200
    first.state.web.jobs.shutdown()
    restarted = create_app(settings_for(tmp_path, time))  # same token, same output folder
    later = browser(restarted)
    later.cookies.set(SIGNIN_COOKIE, value)
    assert later.get("/library").status_code == 401
    restarted.state.web.jobs.shutdown()


def test_a_session_ends_after_twelve_hours_unused():
    time = FakeTime()
    signins = SignIns(time.clock)
    value = signins.start()
    time.now += IDLE_SECONDS - 1
    assert signins.check(value)  # used: the idle time starts again
    time.now += IDLE_SECONDS - 1
    assert signins.check(value)
    time.now += IDLE_SECONDS + 1
    assert not signins.check(value)
    assert not signins.check(value + "x") and not signins.check("")


def test_guesses_sent_side_by_side_wait_their_turn():
    events: list[tuple[str, float]] = []
    now = [0.0]

    async def sleep(seconds: float) -> None:
        events.append(("wait", seconds))
        await asyncio.sleep(0)  # let the other guesses run meanwhile

    throttle = Throttle(sleep, lambda: now[0])

    def checked(answer: bool):
        return lambda: events.append(("check", now[0])) or answer

    async def guesses() -> list[bool]:
        return await asyncio.gather(*(throttle.admits("192.0.2.9", checked(a))
                                      for a in (False, False, True)))

    assert run_apart(guesses()) == [False, False, True]
    # each wrong answer waits, and each later guess waits for the last wrong try's penalty
    # before it is checked at all: four waits, not two
    assert sorted(s for kind, s in events if kind == "wait") == \
        [delay(1), delay(1), delay(2), delay(2)]
    assert events[-2:] == [("wait", delay(2)), ("check", 0.0)]


def test_a_wrong_token_waiting_does_not_hold_up_other_requests(tmp_path):
    released = asyncio.Event()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await released.wait()  # the wrong try waits until the test lets it go

    settings = Settings(output=tmp_path / "out", host="0.0.0.0", token=TOKEN, workers=1,
                        context=fake_render_context(tmp_path), sleep=sleep)
    app = create_app(settings)

    async def day() -> tuple[int, int, int]:
        def client(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 50000))
            return httpx.AsyncClient(transport=transport, base_url="http://testserver")

        async with client("192.0.2.66") as guesser, client("192.0.2.10") as therapist:
            guess = asyncio.create_task(guesser.post(
                "/login", data={"token": "wrong"}, headers=SAME))
            while not waits:
                await asyncio.sleep(0)
            other = await asyncio.wait_for(therapist.get(
                "/library", headers={"x-cft-token": TOKEN}), 30)  # a guard against a hang
            home = await asyncio.wait_for(therapist.post(
                "/login", data={"token": TOKEN}, headers=SAME), 30)
            released.set()
            return other.status_code, home.status_code, (await guess).status_code

    try:
        assert run_apart(day()) == (200, 303, 401)
    finally:
        app.state.web.jobs.shutdown()


@pytest.mark.parametrize(("host", "said"), [("0.0.0.0", True), ("192.168.1.20", True),
                                            ("127.0.0.1", False), ("localhost", False)])
def test_the_sign_in_page_says_open_to_your_network_only_beyond_loopback(tmp_path, time, host,
                                                                         said):
    app = create_app(settings_for(tmp_path, time, host=host))
    page = browser(app).get("/login")
    app.state.web.jobs.shutdown()
    assert page.status_code == 200
    assert ("open to your network" in page.text) is said
    box = re.search(r'<input type="text" class="token-box" id="f-token"[^>]*>', page.text)
    assert box and 'autocomplete="off"' in box.group(0) and "maxlength" not in box.group(0)
    assert 'id="sign-out"' not in page.text and "/static/app.js" not in page.text


def test_every_page_has_sign_out_when_signing_in_is_needed(app, tmp_path):
    client = browser(app)
    sign_in(client)
    render_id = _fake_render(tmp_path / "out")
    for path in ("/", "/library", "/new/safe-place", "/batch", "/practice",
                 f"/renders/{render_id}", "/renders/none"):
        assert 'id="sign-out"' in client.get(path).text, path
    loopback = create_app(Settings(output=tmp_path / "lo", context=fake_render_context(tmp_path)))
    page = TestClient(loopback, base_url="http://127.0.0.1:8750").get("/library")
    loopback.state.web.jobs.shutdown()
    assert page.status_code == 200 and 'id="sign-out"' not in page.text  # nothing to sign out of


def test_a_token_address_drops_the_token_and_keeps_the_rest_signed_in_or_not(app, time):
    client = browser(app)
    moved = client.get(f"/library?q=noor&token={TOKEN}&sort=new")
    assert moved.status_code == 303 and moved.headers["location"] == "/library?q=noor&sort=new"
    client.cookies.update(_cookie_of(moved))
    again = client.get(f"/library?token={TOKEN}&q=lee")  # signed in already: no new session
    assert again.status_code == 303 and again.headers["location"] == "/library?q=lee"
    assert "set-cookie" not in again.headers
    assert client.get("/library?q=lee").status_code == 200


def _cookie_of(response) -> dict[str, str]:
    """The session cookie a response sets, as name -> value."""
    name, value = response.headers["set-cookie"].split(";", 1)[0].split("=", 1)
    return {name: value}
