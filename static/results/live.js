/* Live figures of the results dashboard (templates/results/_live.html, results/live.py).
   While the election is counting (data-live-poll="1") and the tab is visible, asks the page's
   live.json every data-live-seconds (30) and writes each figure into the elements marked
   data-live="<figure>" anywhere on the page, the "computed at" line into [data-live-computed] and
   the "aggregation is behind" line into [data-live-behind]. Every text comes from the server in
   the page's language; the one message of its own (connection lost) is data-live-lost.
   On an error it says so and waits longer each time (30 s, 60 s, 120 s, at most 5 minutes). */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root || root.dataset.livePoll !== "1") { return; }
  var base = (parseInt(root.dataset.liveSeconds, 10) || 30) * 1000;
  var MAX_DELAY = 300000;
  var failures = 0;
  var timer = null;
  var inFlight = false;
  var status = root.querySelector("[data-live-status]");

  function show(el, text) {
    if (!el) { return; }
    el.textContent = text;
    el.hidden = !text;
  }

  function apply(data) {
    Object.keys(data.texts || {}).forEach(function (key) {
      document.querySelectorAll('[data-live="' + key + '"]').forEach(function (el) {
        el.textContent = data.texts[key];
      });
    });
    document.querySelectorAll("[data-live-computed]").forEach(function (el) { el.textContent = data.computed_text; });
    document.querySelectorAll("[data-live-behind]").forEach(function (el) { show(el, data.behind_text); });
    show(status, "");
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
  }

  function delay() {
    return Math.min(base * Math.pow(2, failures), MAX_DELAY);
  }

  function tick() {
    if (document.visibilityState !== "visible" || inFlight) { return; }
    inFlight = true;
    fetch(root.dataset.liveUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        apply(data);
        if (data.counting) { schedule(delay()); }
      })
      .catch(function () {
        failures += 1;
        show(status, root.dataset.liveLost);
        schedule(delay());
      })
      .then(function () { inFlight = false; });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { schedule(0); } else { clearTimeout(timer); }
  });
  schedule(base);
})();
