// Live progress for an export's page: follows the Server-Sent Events of its status and
// updates the page in place; reloads once the export ends (to show the download). Without
// JavaScript the page refreshes itself instead (a <noscript> meta refresh).
(function () {
  "use strict";
  var root = document.getElementById("export");
  if (!root || !window.EventSource) { return; }
  var final = ["done", "failed", "cancelled"];
  var initial = root.getAttribute("data-state");
  if (final.indexOf(initial) >= 0) { return; }
  function set(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }
  function duration(s) {
    if (s >= 3600) { return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min"; }
    if (s >= 60) { return Math.ceil(s / 60) + " min"; }
    return s + " s";
  }
  var source = new EventSource(root.getAttribute("data-events"));
  source.addEventListener("status", function (event) {
    var s = JSON.parse(event.data);
    var percent = s.state === "done" ? 100 :
      (s.pages_total ? Math.min(99, Math.floor(s.pages_done * 100 / s.pages_total)) : 0);
    var bar = document.getElementById("progress");
    if (bar) { bar.value = percent; bar.textContent = percent + "%"; }
    set("percent", percent + "%");
    set("state", s.state_words);
    set("doing", s.doing);
    set("pages", s.pages_done + " of " + s.pages_total);
    set("resources", String(s.resources_done));
    set("bytes", s.size);
    set("calls", String(s.calls));
    set("throttled", s.throttled_seconds + " s");
    set("eta", s.eta_seconds === null ? "—" : "about " + duration(s.eta_seconds));
    if (final.indexOf(s.state) >= 0 || (s.state !== initial && s.state === "waiting")) {
      source.close();
      window.location.reload();
    }
  });
})();
