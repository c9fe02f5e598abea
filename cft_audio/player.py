"""A self-contained phone player page: tracks, big controls, live captions and the script."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jinja2
from markupsafe import Markup


@dataclass(frozen=True)
class PlayerTrack:
    """One track on the player page; hrefs are relative to the page (or any URL it can load)."""

    title: str
    audio_href: str
    captions_href: str | None
    script: str
    """The script as plain text (line breaks kept); shown under "Read the script"."""
    seconds: float


@dataclass(frozen=True)
class Installable:
    """What makes the page an installable, offline web app (served by the app, not a folder)."""

    manifest_href: str
    worker_href: str
    icon_href: str
    download_href: str
    """The audio file to save on the phone (where a service worker cannot run)."""


FOLDER_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                 "media-src 'self' file: data: blob:; img-src data:")
"""A pack's page, opened from its folder: its own style, script, audio and captions only."""
APP_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
              "media-src 'self' data: blob:; img-src 'self' data:; connect-src 'self'; "
              "manifest-src 'self'; worker-src 'self'")
"""The client page served by the app: also its manifest, icon and service worker."""


def player_html(title: str, tracks: Sequence[PlayerTrack], subtitle: str = "",
                installable: Installable | None = None) -> str:
    """One self-contained HTML page (inline CSS and JS, no external assets) that plays `tracks`.

    With `installable`, the page links its web app manifest and registers its service
    worker, which keeps the page, audio and captions on the phone for offline listening.
    """
    items = [
        {"track": t, "number": n, "clock": clock(t.seconds)}
        for n, t in enumerate(tracks, start=1)
    ]
    return _template().render(title=title, subtitle=subtitle, items=items,
                              css=Markup(_CSS.strip()), js=Markup(_JS.strip()),
                              app=installable, offline_js=Markup(_OFFLINE_JS.strip()),
                              policy=Markup(APP_POLICY if installable else FOLDER_POLICY))


def clock(seconds: float) -> str:
    """M:SS (or H:MM:SS) for a duration in seconds."""
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.from_string(_PAGE)


_CSS = """
:root { color-scheme: light dark; --bg: #f6f3ee; --fg: #1f2a30; --muted: #5a6870;
  --card: #ffffff; --accent: #2f6f62; --accent-fg: #ffffff; --line: #d9d3c9; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #141a1d; --fg: #eef1ef; --muted: #a9b5b9; --card: #1e262a;
    --accent: #7cc4b2; --accent-fg: #0d1513; --line: #33403f; } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.5;
  font: 18px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 40rem; margin: 0 auto; padding: 1rem 1rem 4rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 0; }
.subtitle { color: var(--muted); margin: .25rem 0 1rem; }
.player { background: var(--card); border: 1px solid var(--line); border-radius: 1rem;
  padding: 1rem; position: sticky; top: .5rem; z-index: 1; }
.now { font-weight: 600; font-size: 1.1rem; margin: 0 0 .5rem; }
.controls { display: flex; gap: .75rem; align-items: center; justify-content: center; }
button { font: inherit; color: inherit; cursor: pointer; }
.controls button { min-width: 3.5rem; min-height: 3.5rem; border-radius: 50%;
  border: 2px solid var(--accent); background: transparent; font-size: 1rem; }
.controls button.play { min-width: 5rem; min-height: 5rem; background: var(--accent);
  color: var(--accent-fg); font-size: 1.25rem; font-weight: 700; }
.seek { display: flex; align-items: center; gap: .5rem; margin-top: .75rem; }
.seek input { flex: 1; min-height: 2.75rem; accent-color: var(--accent); }
.time { font-variant-numeric: tabular-nums; color: var(--muted); min-width: 3.5rem; }
.caption { min-height: 3.2em; margin: .75rem 0 0; font-size: 1.15rem; text-align: center; }
.caption:empty::before { content: "\\00a0"; }
audio { width: 100%; margin-top: .75rem; }
ol.tracks { list-style: none; padding: 0; margin: 1rem 0; }
ol.tracks li { margin: 0 0 .5rem; }
ol.tracks button { width: 100%; text-align: left; display: flex; gap: .75rem;
  align-items: center; min-height: 3.5rem; padding: .5rem .75rem; background: var(--card);
  border: 1px solid var(--line); border-radius: .75rem; }
ol.tracks button[aria-current="true"] { border: 2px solid var(--accent); }
.num { font-weight: 700; color: var(--accent); min-width: 1.75rem; }
.title { flex: 1; }
.dur { color: var(--muted); font-variant-numeric: tabular-nums; }
details { background: var(--card); border: 1px solid var(--line); border-radius: .75rem;
  padding: .5rem .75rem; }
summary { min-height: 2.75rem; display: flex; align-items: center; font-weight: 600;
  cursor: pointer; }
.script { white-space: pre-line; }
.script[hidden] { display: none; }
.note { color: var(--muted); font-size: .9rem; }
.offline { margin-top: 1.5rem; }
.offline h2 { font-size: 1.1rem; }
a.save { display: inline-flex; align-items: center; min-height: 2.75rem; padding: .5rem 1rem;
  border: 2px solid var(--accent); border-radius: .75rem; color: inherit; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
@media print { .player, ol.tracks { display: none; } details { border: 0; } }
"""

_JS = """
(function () {
  "use strict";
  var audio = document.getElementById("audio");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-audio]"));
  var scripts = Array.prototype.slice.call(document.querySelectorAll(".script"));
  var caption = document.getElementById("caption");
  var play = document.getElementById("play");
  var seek = document.getElementById("seek");
  var now = document.getElementById("now");
  var total = document.getElementById("total");
  var heading = document.getElementById("now-title");
  function clock(s) {
    if (!isFinite(s) || s < 0) { s = 0; }
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
    var mm = h ? (m < 10 ? "0" : "") + m : String(m);
    return (h ? h + ":" : "") + mm + ":" + (r < 10 ? "0" : "") + r;
  }
  function showCue(track) {
    var cues = track.activeCues, text = "";
    if (cues && cues.length) {
      var cue = cues[cues.length - 1];
      text = cue.getCueAsHTML ? cue.getCueAsHTML().textContent : cue.text;
    }
    caption.textContent = text;
  }
  function wireCaptions() {
    caption.textContent = "";
    var el = audio.querySelector("track");
    if (!el || !el.track) { return; }
    el.track.mode = "hidden";
    el.track.oncuechange = function () { showCue(el.track); };
  }
  function choose(index, start) {
    var item = items[index];
    if (!item) { return; }
    audio.pause();
    Array.prototype.slice.call(audio.querySelectorAll("track")).forEach(function (t) {
      audio.removeChild(t);
    });
    audio.src = item.getAttribute("data-audio");
    var vtt = item.getAttribute("data-captions");
    if (vtt) {
      var t = document.createElement("track");
      t.kind = "captions"; t.label = "Captions"; t.srclang = "en"; t.src = vtt;
      t["default"] = true;
      audio.appendChild(t);
    }
    audio.load();
    wireCaptions();
    heading.textContent = item.getAttribute("data-title");
    items.forEach(function (b, i) { b.setAttribute("aria-current", String(i === index)); });
    scripts.forEach(function (s, i) { s.hidden = i !== index; });
    if ("mediaSession" in navigator && window.MediaMetadata) {
      navigator.mediaSession.metadata = new MediaMetadata({
        title: item.getAttribute("data-title"), album: document.title });
    }
    if (start) { audio.play().catch(function () {}); }
  }
  items.forEach(function (button, index) {
    button.addEventListener("click", function () { choose(index, true); });
  });
  play.addEventListener("click", function () {
    if (audio.paused) { audio.play().catch(function () {}); } else { audio.pause(); }
  });
  document.getElementById("back").addEventListener("click", function () {
    audio.currentTime = Math.max(0, audio.currentTime - 15);
  });
  document.getElementById("forward").addEventListener("click", function () {
    if (isFinite(audio.duration)) {
      audio.currentTime = Math.min(audio.duration, audio.currentTime + 15);
    }
  });
  audio.addEventListener("play", function () {
    play.textContent = "Pause"; play.setAttribute("aria-label", "Pause");
  });
  audio.addEventListener("pause", function () {
    play.textContent = "Play"; play.setAttribute("aria-label", "Play");
  });
  audio.addEventListener("loadedmetadata", function () {
    seek.max = String(audio.duration || 0); total.textContent = clock(audio.duration);
  });
  audio.addEventListener("timeupdate", function () {
    if (document.activeElement !== seek) { seek.value = String(audio.currentTime); }
    now.textContent = clock(audio.currentTime);
  });
  seek.addEventListener("input", function () { audio.currentTime = Number(seek.value); });
  audio.controls = false;
  document.getElementById("custom").hidden = false;
  wireCaptions();
})();
"""

_OFFLINE_JS = """
(function () {
  "use strict";
  var status = document.getElementById("offline-status");
  var audio = document.getElementById("audio");
  function say(text) { status.textContent = text; }
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    say("This browser cannot keep the page for offline use over this connection. " +
        "Use \\u201cSave the recording to this phone\\u201d below instead.");
    return;
  }
  say("Saving this page and the recording for offline listening\\u2026");
  navigator.serviceWorker.register(status.getAttribute("data-worker"))
    .then(function () { return navigator.serviceWorker.ready; })
    .then(check)
    .catch(function () {
      say("Could not save it for offline listening; it still plays while you are online.");
    });
  function check() {
    return caches.match(audio.currentSrc || audio.src).then(function (kept) {
      if (kept) { done(); } else { window.setTimeout(check, 1000); }
    });
  }
  function done() {
    say("Saved on this phone: this page and its recording now work without a connection.");
    document.documentElement.setAttribute("data-offline", "ready");
  }
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ policy }}">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>{{ title }}</title>
{% if app %}
<link rel="manifest" href="{{ app.manifest_href }}">
<link rel="icon" href="{{ app.icon_href }}">
<link rel="apple-touch-icon" href="{{ app.icon_href }}">
<meta name="theme-color" content="#2f6f62">
{% endif %}
<style>{{ css }}</style>
</head>
<body>
<main>
<h1>{{ title }}</h1>
{% if subtitle %}
<p class="subtitle">{{ subtitle }}</p>
{% endif %}
{% if items %}
{% set first = items[0].track %}
<section class="player" aria-label="Player">
<p class="now" id="now-title" aria-live="polite">{{ first.title }}</p>
<div id="custom" hidden>
<div class="controls">
<button type="button" id="back" aria-label="Back 15 seconds">&minus;15</button>
<button type="button" id="play" class="play" aria-label="Play">Play</button>
<button type="button" id="forward" aria-label="Forward 15 seconds">+15</button>
</div>
<div class="seek">
<span class="time" id="now">0:00</span>
<input type="range" id="seek" min="0" max="{{ first.seconds }}" step="1" value="0"
 aria-label="Position">
<span class="time" id="total">{{ items[0].clock }}</span>
</div>
</div>
<audio id="audio" controls preload="metadata" src="{{ first.audio_href }}">
{% if first.captions_href %}
<track kind="captions" label="Captions" srclang="en" src="{{ first.captions_href }}" default>
{% endif %}
</audio>
<p class="caption" id="caption" aria-live="polite"></p>
</section>
<ol class="tracks">
{% for item in items %}
<li><button type="button" data-audio="{{ item.track.audio_href }}"
 data-captions="{{ item.track.captions_href or '' }}" data-title="{{ item.track.title }}"
 aria-current="{{ 'true' if loop.first else 'false' }}">
<span class="num">{{ item.number }}</span><span class="title">{{ item.track.title }}</span>
<span class="dur">{{ item.clock }}</span></button></li>
{% endfor %}
</ol>
<details>
<summary>Read the script</summary>
{% for item in items %}
<div class="script"{% if not loop.first %} hidden{% endif %}>{{ item.track.script }}</div>
{% endfor %}
</details>
{% else %}
<p>No tracks yet.</p>
{% endif %}
{% if app %}
<section class="offline" aria-labelledby="offline-heading">
<h2 id="offline-heading">Listening without a connection</h2>
<p>Open this page once while you are on Wi-Fi. It then keeps itself and the recording on
this phone, and works offline.</p>
<p>To find it again easily, open your browser's menu and choose <strong>Add to Home
Screen</strong> (on an iPhone: the Share button, then <strong>Add to Home Screen</strong>).</p>
<p class="note" id="offline-status" aria-live="polite" data-worker="{{ app.worker_href }}"></p>
<p><a class="save" href="{{ app.download_href }}" download id="save-audio">Save the recording
to this phone</a></p>
</section>
{% else %}
<p class="note">To listen offline, keep this page in the same folder as its audio files
(unzip the pack first), then open it from there.</p>
{% endif %}
</main>
{% if items %}
<script>{{ js }}</script>
{% endif %}
{% if app %}
<script>{{ offline_js }}</script>
{% endif %}
</body>
</html>
"""
