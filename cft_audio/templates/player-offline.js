(function () {
  "use strict";
  var status = document.getElementById("offline-status");
  var audio = document.getElementById("audio");
  function say(text) { status.textContent = text; }
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    say("This browser cannot keep the page for offline use over this connection. " +
        "Use \u201cSave the recording to this phone\u201d below instead.");
    return;
  }
  say("Saving this page and the recording for offline listening\u2026");
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
