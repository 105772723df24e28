/* Entry and correction forms, keyboard first. No rules live here: the server runs every control.
   - Enter never submits: in a figure it moves to the next figure; after the last figure to the
     warnings' explanations and confirmations, then to the form's main button ("Finish entry",
     or the reason of a correction); in a resolution choice to the reason. Without this script
     Enter presses the forms' hidden default button, which only shows the form again.
   - A figure's content is selected on focus.
   - The arithmetic relations are shown live under the form (messages from data attributes,
     translated by the template).
   - The typed figures are kept in this browser (localStorage, per protocol, cycle and user) and
     offered back after a reload; the server's pages drop the copy once it has saved them.
   - A form is sent once; pressing its button again within a few seconds does nothing (the server
     also recognises a form sent twice by its submission token). */
(function () {
  "use strict";
  var RESEND_AFTER_MS = 10000;

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  var clear = document.getElementById("clear-storage");
  if (clear && storage()) { storage().removeItem(clear.dataset.key); }

  ["entry-form", "correct-form"].forEach(function (id) {
    var form = document.getElementById(id);
    if (form) { setUp(form); }
  });
  ["keep-form", "confirm-form"].forEach(function (id) {
    var form = document.getElementById(id);
    if (form) { sendOnce(form); noEnterSubmit(form); }
  });

  // Enter in any field of these forms submits nothing; in a choice it moves to the reason.
  function noEnterSubmit(form) {
    var after = form.querySelector("[data-after-figures]");
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.target.tagName !== "INPUT") { return; }
      event.preventDefault();
      if (event.target.type === "radio" && after) { after.focus(); }
    });
  }

  function sendOnce(form) {
    var sentAt = 0;
    form.addEventListener("submit", function (event) {
      var now = Date.now();
      if (now - sentAt < RESEND_AFTER_MS) { event.preventDefault(); return; }
      sentAt = now;
    });
  }

  function setUp(form) {
    var figures = Array.prototype.slice.call(form.querySelectorAll("input[data-figure]"));
    var sequence = Array.prototype.slice.call(
      form.querySelectorAll("input[data-figure], input[data-explanation], input[data-confirmation]")
    );
    var after = form.querySelector("[data-after-figures]");
    sequence.forEach(function (input, index) {
      if (input.hasAttribute("data-figure")) {
        input.addEventListener("focus", function () { input.select(); });
      }
      input.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") { return; }
        event.preventDefault();
        var next = sequence[index + 1] || after;
        if (next) { next.focus(); }
      });
    });
    sendOnce(form);
    noEnterSubmit(form);
    keepTyped(form, figures);
    liveControls(form, figures);
  }

  function keepTyped(form, figures) {
    var key = form.dataset.storageKey;
    var store = storage();
    if (!key || !store) { return; }
    var fields = Array.prototype.slice.call(form.querySelectorAll("input[data-figure], input[data-explanation]"));
    function current() {
      var values = {};
      fields.forEach(function (f) { values[f.name] = f.value; });
      return values;
    }
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    form.addEventListener("input", function () {
      store.setItem(key, JSON.stringify({ at: Date.now(), values: current() }));
    });
    if (!saved || !saved.values) { return; }
    var now = current();
    var differs = Object.keys(saved.values).some(function (name) {
      return name in now && saved.values[name] !== "" && saved.values[name] !== now[name];
    });
    var offer = document.getElementById("restore-offer");
    if (!differs || !offer) { return; }
    var yes = document.getElementById("restore-yes");
    var no = document.getElementById("restore-no");
    offer.hidden = false;
    function focusYes() { yes.focus(); }
    if (document.readyState === "complete") { setTimeout(focusYes, 0); } else {
      window.addEventListener("load", function () { setTimeout(focusYes, 0); });
    }
    yes.addEventListener("click", function () {
      fields.forEach(function (f) {
        if (Object.prototype.hasOwnProperty.call(saved.values, f.name)) { f.value = saved.values[f.name]; }
      });
      offer.hidden = true;
      form.dispatchEvent(new Event("input"));
      var empty = figures.filter(function (f) { return f.value === ""; })[0];
      (empty || figures[0]).focus();
    });
    no.addEventListener("click", function () {
      store.removeItem(key);
      offer.hidden = true;
      figures[0].focus();
    });
  }

  function liveControls(form, figures) {
    var box = document.getElementById("live-controls");
    if (!box || !form.contains(box)) { return; }
    function num(name) {
      var el = form.elements[name];
      if (!el || !/^\s*[0-9]+\s*$/.test(el.value)) { return null; }
      return parseInt(el.value, 10);
    }
    function all(values) { return values.every(function (v) { return v !== null; }); }
    function check() {
      var V = num("voters"), R = num("ballots_received"), Is = num("issued_station"), Im = num("issued_mobile");
      var S = num("spoiled"), U = num("unused"), Fs = num("found_stationary"), Fm = num("found_mobile");
      var N = num("invalid"), A = form.elements.against_all ? num("against_all") : 0;
      var votes = figures.filter(function (i) { return i.name.indexOf("vote_") === 0; })
        .map(function (i) { return num(i.name); });
      var failed = [];
      if (all([R, Is, Im, S, U]) && R !== Is + Im + S + U) { failed.push("ballotsBalance"); }
      if (all([V, Is, Im]) && Is + Im > V) { failed.push("issuedExceedsVoters"); }
      if (all([Fm, Im]) && Fm > Im) { failed.push("mobileFoundExceedsIssued"); }
      if (all([Fs, Fm, Is, Im]) && Fs + Fm > Is + Im) { failed.push("foundExceedsIssued"); }
      if (all([Fs, Fm, N, A].concat(votes))) {
        var sum = votes.reduce(function (a, b) { return a + b; }, 0);
        if (Fs + Fm !== N + sum + A) { failed.push("foundNotCounted"); }
      }
      box.textContent = "";
      if (!failed.length) { return; }
      var title = document.createElement("p");
      title.textContent = box.dataset.title;
      var list = document.createElement("ul");
      failed.forEach(function (key) {
        var item = document.createElement("li");
        item.className = "error";
        item.textContent = box.dataset[key];
        list.appendChild(item);
      });
      box.appendChild(title);
      box.appendChild(list);
    }
    form.addEventListener("input", check);
    check();
  }
}());
