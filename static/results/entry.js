/* Entry form helpers, keyboard first. No rules live here: the server runs every control on save.
   - Enter in a figure moves to the next field instead of submitting (finishing is a button);
   - a figure's content is selected on focus;
   - the arithmetic relations are shown live under the form (messages come from data attributes,
     translated by the template). */
(function () {
  "use strict";
  var form = document.getElementById("entry-form") || document.getElementById("correct-form");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[inputmode=numeric]"));
  inputs.forEach(function (input, index) {
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var next = inputs[index + 1] || form.querySelector("button[type=submit]");
      if (next) { next.focus(); }
    });
  });

  var box = document.getElementById("live-controls");
  if (!box) { return; }
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
    var votes = inputs.filter(function (i) { return i.name.indexOf("vote_") === 0; }).map(function (i) { return num(i.name); });
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
}());
