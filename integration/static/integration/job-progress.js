/*
 * Live progress of job runs in the admin. Every `.job-progress[data-status-url]` box whose
 * data-finished is not "true" asks its run's status.json about once a second and shows the
 * status, counts, newest messages and duration, until the run has finished. Without JavaScript
 * the boxes stay as rendered, with a plain link to the run's page.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  var MAX_FAILURES = 5; // stop asking after this many failed requests in a row (logged out, server down)
  var MESSAGES_SHOWN = 5;

  function replaceItems(list, items) {
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (item) { list.appendChild(item); });
  }

  function countItem(name, value, label) {
    var li = document.createElement("li");
    li.setAttribute("data-count", name);
    li.appendChild(document.createTextNode((label || name) + ": "));
    var b = document.createElement("b");
    b.textContent = String(value);
    li.appendChild(b);
    return li;
  }

  function messageItem(text) {
    var li = document.createElement("li");
    li.textContent = text;
    return li;
  }

  function show(box, data) {
    box.setAttribute("data-status", data.status);
    box.setAttribute("data-finished", data.finished ? "true" : "false");
    var status = box.querySelector(".job-progress-status");
    if (status) status.textContent = data.status_label;
    var duration = box.querySelector(".job-progress-duration");
    if (duration) duration.textContent = data.duration_text || "";
    replaceItems(box.querySelector(".job-progress-counts"), Object.keys(data.counts || {}).sort().map(function (name) {
      return countItem(name, data.counts[name], (data.count_labels || {})[name]);
    }));
    replaceItems(box.querySelector(".job-progress-messages"), (data.messages || []).slice(-MESSAGES_SHOWN).map(messageItem));
    var error = box.querySelector(".job-progress-error");
    if (error) {
      error.textContent = data.error || "";
      error.hidden = !data.error;
    }
  }

  function follow(box) {
    var url = box.getAttribute("data-status-url");
    var failures = 0;

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          show(box, data);
          if (!data.finished) window.setTimeout(poll, INTERVAL_MS);
        })
        .catch(function () {
          failures += 1;
          if (failures < MAX_FAILURES) window.setTimeout(poll, INTERVAL_MS * failures);
          else box.setAttribute("data-polling", "stopped");
        });
    }

    poll();
  }

  function start() {
    var boxes = document.querySelectorAll(".job-progress[data-status-url]");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.getAttribute("data-finished") !== "true") follow(box);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
