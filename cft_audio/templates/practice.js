(function () {
  "use strict";
  // The practice log: kept in this browser only (localStorage), shared only as a file.
  var section = document.getElementById("practice");
  var source = {kind: section.getAttribute("data-kind"), key: section.getAttribute("data-key"),
                title: section.getAttribute("data-title")};
  var STORE = "cft-audio-practice:" + source.kind + ":" + source.key;
  var MARKER = section.getAttribute("data-marker");
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec"];
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  function $(id) { return document.getElementById(id); }
  var panel = $("practice-note"), list = $("practice-list"), thanks = $("practice-thanks");
  var sliders = [$("practice-before"), $("practice-after")];
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function localIso(d) {
    var off = -d.getTimezoneOffset(), a = Math.abs(off);
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + "T" +
      two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds()) +
      (off >= 0 ? "+" : "-") + two(Math.floor(a / 60)) + ":" + two(a % 60);
  }
  function load() {
    try {
      var found = JSON.parse(window.localStorage.getItem(STORE) || "[]");
      return Array.isArray(found) ? found : [];
    } catch (e) { return []; }
  }
  function keep(entries) {
    try {
      if (entries.length) { window.localStorage.setItem(STORE, JSON.stringify(entries)); }
      else { window.localStorage.removeItem(STORE); }
      return true;
    } catch (e) {
      thanks.textContent = "This browser would not keep the note (its storage is off or full).";
      return false;
    }
  }
  function when(iso) {
    var d = new Date(iso);
    return DAYS[d.getDay()] + " " + d.getDate() + " " + MONTHS[d.getMonth()] + " " +
      d.getFullYear() + ", " + two(d.getHours()) + ":" + two(d.getMinutes());
  }
  function rated(e) {
    if (e.before === null && e.after === null) { return ""; }
    function v(x) { return x === null ? "\u2013" : String(x); }
    return "soothed or safe: before " + v(e.before) + ", after " + v(e.after);
  }
  function line(e) {
    return [when(e.at), e.track || "(no track named)", rated(e),
            (e.note || "").split(/\s+/).join(" ").trim()].filter(Boolean).join(" \u00b7 ");
  }
  function show() {
    var entries = load();
    list.textContent = "";
    entries.slice().reverse().forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = line(e);
      list.appendChild(li);
    });
    $("practice-empty").hidden = entries.length > 0;
    $("practice-kept").hidden = entries.length === 0;
    section.setAttribute("data-entries", String(entries.length));
  }
  function current() {
    var on = document.querySelector("[data-audio][aria-current=true]");
    return on ? on.getAttribute("data-title") : "";
  }
  function open() {
    var track = $("practice-track"), now = current();
    Array.prototype.forEach.call(track.options, function (o) { o.selected = o.value === now; });
    sliders.forEach(function (s) { s.value = "5"; s.setAttribute("data-set", "no"); said(s); });
    $("practice-words").value = "";
    thanks.textContent = "";
    panel.hidden = false;
    $("practice-note-heading").focus();
  }
  function said(slider) {
    var out = $(slider.id + "-value");
    out.textContent = slider.getAttribute("data-set") === "yes" ? slider.value : "not noted";
  }
  function rating(slider) {
    return slider.getAttribute("data-set") === "yes" ? Number(slider.value) : null;
  }
  function save(details) {
    var entry = {at: localIso(new Date()), track: $("practice-track").value,
                 before: details ? rating(sliders[0]) : null,
                 after: details ? rating(sliders[1]) : null,
                 note: details ? $("practice-words").value.slice(0, $("practice-words").maxLength) : ""};
    var entries = load();
    entries.push(entry);
    if (!keep(entries)) { return; }
    panel.hidden = true;
    show();
    thanks.textContent = "Noted. Thank you for making time for this.";
  }
  function fileText(entries) {
    var data = {format: section.getAttribute("data-format"),
                version: Number(section.getAttribute("data-version")), source: source,
                made: localIso(new Date()), entries: entries};
    return ["Practice notes: " + source.title,
            "Shared from the player by the person who kept them.", ""]
      .concat(entries.map(line), ["", MARKER, JSON.stringify(data, null, 1), ""]).join("\n");
  }
  function fileName() {
    var stem = source.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return "practice-log-" + (stem.slice(0, 40) || "recording") + "-" +
      localIso(new Date()).slice(0, 10) + ".txt";
  }
  function download(file) {
    var link = document.createElement("a");
    var url = URL.createObjectURL(file);
    link.href = url; link.download = file.name; link.hidden = true;
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    $("practice-shared").textContent = "Saved as \u201c" + file.name + "\u201d in your " +
      "downloads. Send it to your therapist the way you usually would, or bring it along.";
  }
  function share() {
    var entries = load();
    if (!entries.length) {
      $("practice-shared").textContent = "There are no notes to share yet.";
      return;
    }
    var file = new File([fileText(entries)], fileName(), {type: "text/plain"});
    if (navigator.canShare && navigator.share && navigator.canShare({files: [file]})) {
      navigator.share({files: [file], title: "Practice notes"}).then(function () {
        $("practice-shared").textContent = "Shared. Only the file you sent has left this phone.";
      }).catch(function (error) {
        if (!error || error.name !== "AbortError") { download(file); }
      });
    } else {
      download(file);
    }
  }
  $("practice-open").addEventListener("click", function () {
    open();
    var player = document.querySelector(".player");  // sticky: keep the note below it
    panel.style.scrollMarginTop = (player ? player.offsetHeight + 16 : 0) + "px";
    panel.scrollIntoView({block: "start"});
  });
  sliders.forEach(function (s) {
    s.addEventListener("input", function () { s.setAttribute("data-set", "yes"); said(s); });
  });
  $("practice-save").addEventListener("click", function () { save(true); });
  $("practice-skip").addEventListener("click", function () { save(false); });
  $("practice-cancel").addEventListener("click", function () { panel.hidden = true; });
  $("practice-share").addEventListener("click", share);
  $("practice-delete").addEventListener("click", function () {
    $("practice-confirm").hidden = false;
    $("practice-delete-no").focus();
  });
  $("practice-delete-no").addEventListener("click", function () {
    $("practice-confirm").hidden = true;
  });
  $("practice-delete-yes").addEventListener("click", function () {
    keep([]);
    $("practice-confirm").hidden = true;
    $("practice-shared").textContent = "";
    show();
    thanks.textContent = "Your practice notes were deleted from this phone.";
  });
  document.getElementById("audio").addEventListener("ended", function () {
    $("practice-prompt").hidden = false;
  });
  show();
})();
