// cft-audio pages: live script preview, voice/background samples, render progress, confirmations.
// Plain JavaScript, no libraries; every request goes to this app only.
"use strict";

(function () {
  const form = document.getElementById("render-form");
  if (form) livePreview(form);
  const job = document.getElementById("job");
  if (job) followJob(job);
  const cancel = document.getElementById("cancel-form");
  if (cancel && cancel.dataset.confirm) confirmFirst(cancel);
  const player = document.getElementById("player");
  if (player) showCaptions(player, document.getElementById("render-caption"));
  const batch = document.getElementById("batch-form");
  if (batch) checkInPlace(batch);
  for (const del of document.querySelectorAll("form.delete-log")) {
    del.addEventListener("submit", (event) => {
      if (!window.confirm("Delete this practice log from the app? The client's own notes stay on their phone.")) {
        event.preventDefault();
      }
    });
  }
  for (const del of document.querySelectorAll("form.delete-form")) {
    del.addEventListener("submit", (event) => {
      if (!window.confirm("Delete this recording and all its files? This cannot be undone.")) {
        event.preventDefault();
      }
    });
  }

  function csrfToken() {
    const meta = document.querySelector("meta[name=csrf]");
    return meta ? meta.content : "";
  }

  function livePreview(form) {
    const clock = document.getElementById("preview-clock");
    const status = document.getElementById("preview-status");
    const text = document.getElementById("preview-text");
    let timer = null;
    let latest = 0;

    function showErrors(errors) {
      for (const box of form.querySelectorAll(".field-error[data-field]")) {
        const field = box.dataset.field;
        // a file's problem from the last submit stays until that file is chosen again
        if ("upload" in box.dataset && !errors[field] && field !== "script-file") continue;
        markField(field, errors[field] || "");
      }
    }

    for (const input of form.querySelectorAll("input[type=file]")) {
      input.addEventListener("change", () => { markField(input.name, ""); ownChoices(form); });
    }
    for (const remove of form.querySelectorAll("input[name^=remove-]")) {
      remove.addEventListener("change", () => ownChoices(form));
    }
    ownChoices(form);

    async function refresh() {
      timer = null;
      const mine = ++latest;
      let body;
      try {
        const data = new FormData(form);
        for (const input of form.querySelectorAll("input[type=file]")) {
          // only the own template changes the script: it is sent, the other files are not
          if (input.name !== "script-file" || !input.files.length) data.delete(input.name);
        }
        const response = await fetch("/api/preview/script", {
          method: "POST", body: data, credentials: "same-origin",
          headers: { "X-CFT-CSRF": csrfToken() },
        });
        body = await response.json();
      } catch (error) {
        if (mine === latest) {
          status.textContent = "Preview unavailable just now.";
          form.dataset.previewState = "error";
        }
        return;
      }
      if (mine !== latest || timer !== null) return;  // a newer change is on its way
      showErrors(body.errors || {});
      for (const box of form.querySelectorAll(".field-warning[data-field]")) {
        box.textContent = (body.warnings || {})[box.dataset.field] || "";
      }
      const minutesHint = document.getElementById("hint-minutes");
      if (minutesHint && body.minutes_hint) minutesHint.textContent = body.minutes_hint;
      const pronounHint = document.getElementById("hint-pronoun");
      if (pronounHint && body.pronoun) {
        pronounHint.textContent = "He, she, they or it. This image is spoken of as “" +
          body.pronoun + "”.";
      }
      if (body.ok) {
        clock.textContent = body.clock;
        status.textContent = body.summary;
        text.textContent = body.text;
        const estimate = document.getElementById("render-estimate");
        if (estimate) estimate.textContent = body.estimate || "";
        form.dataset.previewState = "ok";
      } else {
        clock.textContent = "—";
        status.textContent = "Fix the highlighted fields to see the script.";
        form.dataset.previewState = "error";
      }
      form.dataset.previewSeq = String(mine);
    }

    function schedule() {
      form.dataset.previewState = "pending";  // until the answer to this change is shown
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    }

    form.addEventListener("input", schedule);  // text, selects and checkboxes all fire it
    form.addEventListener("submit", () => {
      const button = document.getElementById("render-button");
      button.disabled = true;
      button.textContent = "Starting…";
    });
    for (const button of form.querySelectorAll("button[data-sample]")) {
      button.addEventListener("click", () => sample(form, button.dataset.sample, button.dataset.voice));
    }
    form.dataset.previewSeq = "0";
  }

  function markField(field, message) {
    // a problem beside a field: its text, and the field marked (class and aria-invalid)
    const box = document.getElementById("error-" + field);
    if (box) box.textContent = message;
    const input = document.getElementById("f-" + field);
    if (!input) return;
    input.classList.toggle("invalid", Boolean(message));
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    const folded = input.closest("details");
    if (message && folded) folded.open = true;  // a problem is never hidden in a folded part
  }

  function ownFile(form, name) {
    // the name of the own file the form will use for upload `name` ("" if none)
    const input = document.getElementById("f-" + name);
    if (input && input.files.length) return input.files[0].name;
    const held = (form.dataset.held || "").split(" ").includes(name);
    const remove = document.getElementById("f-remove-" + name);
    const kept = document.querySelector("#kept-" + name + " strong");
    return held && !(remove && remove.checked) && kept ? kept.textContent : "";
  }

  function ownChoices(form) {
    // with an own background sound chosen, the list of backgrounds is not used: say so
    const own = ownFile(form, "background-file");
    const select = document.getElementById("f-background");
    const note = document.getElementById("background-own");
    if (select) select.disabled = Boolean(own);
    if (note) {
      note.hidden = !own;
      document.getElementById("background-own-name").textContent = own;
    }
  }

  async function sample(form, kind, voice) {
    const audio = document.getElementById(kind + "-audio");
    const status = document.getElementById(kind + "-status");
    const fields = kind === "voice" ? ["voice", "tone", "pace", "name", "say"]
      : ["background", "bed-level", "accessible"];
    const data = new FormData(form);
    if (voice) data.set("voice", voice);  // a voice's own button: that voice, the form's name
    const query = new URLSearchParams();
    for (const field of fields) {
      for (const value of data.getAll(field)) query.append(field, value);
    }
    const own = kind === "background" && ownFile(form, "background-file");
    status.textContent = kind === "voice" ? "Preparing a voice sample…"
      : own ? "Preparing a sample of your own sound…" : "Preparing a background sample…";
    let request = { credentials: "same-origin" };
    if (own) {  // the own sound: sent (or held for this form), never the list's choice
      const body = new FormData();
      for (const field of ["bed-level", "accessible", "form-id", "remove-background-file", "background-file"]) {
        for (const value of data.getAll(field)) body.append(field, value);
      }
      request = { method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CFT-CSRF": csrfToken() } };
    }
    try {
      const response = await fetch("/api/preview/" + kind + (own ? "" : "?" + query), request);
      if (!response.ok) {
        const body = await response.json();
        status.textContent = Object.values(body.errors || {}).join(" ") || "No sample could be made.";
        return;
      }
      const blob = await response.blob();
      if (audio.dataset.url) URL.revokeObjectURL(audio.dataset.url);
      audio.dataset.url = URL.createObjectURL(blob);
      audio.src = audio.dataset.url;
      status.textContent = own ? "Playing a sample of your own sound (" + own + ")." : "Playing the sample.";
      audio.dataset.source = own ? "own" : "list";
      await audio.play().catch(() => { status.textContent = "Press play to listen."; });
    } catch (error) {
      status.textContent = "No sample could be made just now.";
    }
  }

  function followJob(box) {
    const id = box.dataset.job;
    const bar = document.getElementById("job-progress");
    const label = document.getElementById("job-label");
    const problem = document.getElementById("job-error");
    async function poll() {
      let body;
      try {
        const response = await fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" });
        body = await response.json();
      } catch (error) {
        window.setTimeout(poll, 1500);
        return;
      }
      if (body.state === "cancelled") {
        // the server's page says "Cancelled" only (and offers what comes next)
        if (box.dataset.state !== "cancelled") window.location.reload();
        return;
      }
      bar.value = body.percent;
      bar.textContent = body.percent + "%";
      const step = body.steps > 1 ? " (file " + body.step + " of " + body.steps + ")" : "";
      label.textContent = body.label + step + " — " + body.percent + "%";
      box.dataset.state = body.state;
      showQueue(body);
      showCounts(body.counts || {});
      if (body.state === "done") {
        window.location.assign(body.url || "/library");
      } else if (body.state === "failed") {
        problem.textContent = body.error;
      } else {
        window.setTimeout(poll, 500);
      }
    }
    poll();
  }

  function confirmFirst(form) {
    // a batch's Cancel asks first; yes skips the server's own confirmation page
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      form.elements.confirm.value = "1";
    });
  }

  function showCaptions(audio, line) {
    // the captions under the player, as the client page shows them (native controls hide them)
    const element = audio.querySelector("track");
    if (!element || !line) return;
    const track = element.track;
    track.mode = "hidden";
    track.addEventListener("cuechange", () => {
      const cues = track.activeCues;
      line.textContent = cues && cues.length ? cues[cues.length - 1].text : "";
    });
  }

  function checkInPlace(form) {
    // "Check only" answers on this page, so the chosen files stay chosen for "Check and render"
    const check = document.getElementById("batch-check");
    form.addEventListener("submit", async (event) => {
      if (event.submitter !== check) return;
      event.preventDefault();
      const data = new FormData(form);
      data.set("action", "check");
      check.disabled = true;
      try {
        // form.action would be the buttons named "action": read the attribute
        const response = await fetch(form.getAttribute("action"), {
          method: "POST", body: data, credentials: "same-origin" });
        const answer = new DOMParser().parseFromString(await response.text(), "text/html");
        for (const id of ["batch-problems", "batch-ok"]) {
          const old = document.getElementById(id);
          if (old) old.remove();
          const fresh = answer.getElementById(id);
          if (fresh) form.before(document.importNode(fresh, true));
        }
      } finally {
        check.disabled = false;
      }
    });
  }

  function showQueue(body) {
    const queue = document.getElementById("job-queue");
    const waiting = body.state === "queued" && body.position > 0;
    queue.hidden = !waiting;
    if (waiting) {
      queue.textContent = body.position + (body.position === 1 ? " job is" : " jobs are") +
        " ahead of this one.";
    }
  }

  function showCounts(counts) {
    const line = document.getElementById("job-counts");
    if (!counts.total) { line.hidden = true; return; }
    const what = counts.phase === "speech" ? "Sentences spoken: " : "Tracks made: ";
    let text = what + counts.done + " of " + counts.total;
    if (counts.left !== null && counts.left !== undefined) text += " · " + timeLeft(counts.left);
    line.textContent = text;
    line.hidden = false;
  }

  function timeLeft(seconds) {
    if (seconds < 60) return "less than a minute left for this step";
    const minutes = Math.round(seconds / 60);
    return "about " + minutes + (minutes === 1 ? " minute" : " minutes") + " left for this step";
  }
})();
