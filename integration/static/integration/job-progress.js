/*
 * Live progress of job runs in the admin. Every `.job-progress[data-status-url]` box whose
 * data-finished is not "true" asks its run's status.json about once a second and shows the
 * status, done/total with a bar, percentage, rate and ETA, counts, newest messages and duration,
 * until the run has finished. When a run ends, the list under the box is refreshed (the run's
 * own page is reloaded). Without JavaScript the boxes stay as rendered, with a plain link to the
 * run's page.
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
    list.hidden = items.length === 0;
  }

  function countItem(name, label, value) {
    var li = document.createElement("li");
    li.setAttribute("data-count", name);
    li.appendChild(document.createTextNode(label + ": "));
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

  function setText(box, selector, text) {
    var node = box.querySelector(selector);
    if (node) node.textContent = text || "";
  }

  function showProgress(box, progress) {
    var row = box.querySelector(".job-progress-bar-row");
    if (!row || !progress) return;
    row.hidden = progress.done === null || progress.done === undefined;
    if (row.hidden) return;
    var bar = row.querySelector(".job-progress-bar");
    if (bar) {
      if (progress.total) {
        bar.max = progress.total;
        bar.value = progress.done;
      } else {
        bar.removeAttribute("value"); // an indeterminate bar: the job does not know its total
      }
    }
    var done = progress.total ? progress.done + " / " + progress.total : String(progress.done);
    setText(row, ".job-progress-done", done);
    setText(row, ".job-progress-percent", progress.percent_text);
    setText(row, ".job-progress-rate", progress.rate_text);
    setText(row, ".job-progress-eta", progress.eta_text);
  }

  function show(box, data) {
    box.setAttribute("data-status", data.status);
    box.setAttribute("data-finished", data.finished ? "true" : "false");
    setText(box, ".job-progress-status", data.status_label);
    setText(box, ".job-progress-duration", data.duration_text);
    showProgress(box, data.progress);
    var labels = data.count_labels || {};
    replaceItems(box.querySelector(".job-progress-counts"), Object.keys(data.counts || {}).sort().map(function (name) {
      return countItem(name, labels[name] || name, data.counts[name]);
    }));
    replaceItems(box.querySelector(".job-progress-messages"), (data.messages || []).slice(-MESSAGES_SHOWN).map(messageItem));
    var error = box.querySelector(".job-progress-error");
    if (error) {
      error.textContent = data.error || "";
      error.hidden = !data.error;
    }
    if (data.finished) {
      var cancel = box.querySelector(".job-progress-cancel");
      if (cancel) cancel.hidden = true;
    }
  }

  // The list the box stands above, fetched again: its rows now show how the run ended.
  function refreshAfterEnd(box) {
    var own = box.closest("[data-own-run]");
    if (own) {
      window.location.reload();
      return;
    }
    var list = document.getElementById("changelist") || document.getElementById("dashboard-jobs");
    if (!list) return;
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(list.id);
        if (fresh) list.replaceWith(document.importNode(fresh, true));
      })
      .catch(function () { /* the stale list stays; the operator can reload */ });
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
          else refreshAfterEnd(box);
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
