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
  function resumable() {
    // where the listener stopped, per track, kept in this browser only (works offline)
    var note = document.getElementById("resume"), text = document.getElementById("resume-text");
    var saved = -1, restored = false;
    function key() { return "cft-audio:position:" + new URL(audio.src, location.href).pathname; }
    function read() {
      try { return Number(window.localStorage.getItem(key())) || 0; } catch (e) { return 0; }
    }
    function write(value) {
      try {
        if (value > 0) { window.localStorage.setItem(key(), String(Math.floor(value))); }
        else { window.localStorage.removeItem(key()); }
      } catch (e) { /* storage off: nothing is kept */ }
    }
    function restore() {
      if (restored) { return; }
      restored = true;
      var at = read(), length = audio.duration;
      if (at < 5 || (isFinite(length) && at > length - 5)) { note.hidden = true; return; }
      audio.currentTime = at;
      text.textContent = "Continuing from " + clock(at) + ". ";
      note.hidden = false;
    }
    audio.addEventListener("loadstart", function () { restored = false; saved = -1; });
    audio.addEventListener("loadedmetadata", restore);
    if (audio.readyState >= 1) { restore(); }
    audio.addEventListener("timeupdate", function () {
      if (restored && Math.abs(audio.currentTime - saved) >= 2) {
        saved = audio.currentTime; write(saved);
      }
    });
    audio.addEventListener("pause", function () { if (restored) { write(audio.currentTime); } });
    audio.addEventListener("ended", function () { write(0); note.hidden = true; });
    window.addEventListener("pagehide", function () {
      if (restored) { write(audio.currentTime); }
    });
    document.getElementById("restart").addEventListener("click", function () {
      audio.currentTime = 0; write(0); note.hidden = true;
    });
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
    if (heading) { heading.textContent = item.getAttribute("data-title"); }
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
  resumable();
  audio.controls = false;
  document.getElementById("custom").hidden = false;
  wireCaptions();
})();
