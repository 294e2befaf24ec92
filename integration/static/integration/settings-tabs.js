// The settings page's tabs (templates/admin/integration/crmsettings/change_form.html). Without this
// script every tab is shown in turn; with it one tab is shown, named by the URL's hash (#tab-…), so a
// reload, a link or a button's redirect opens the same tab.
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("settings-tabs");
    if (!root) { return; }
    var sections = Array.prototype.slice.call(root.querySelectorAll(".settings-tab"));
    var links = Array.prototype.slice.call(root.querySelectorAll(".settings-tab-link"));
    function codeFromHash() {
      var match = /^#tab-([\w-]+)$/.exec(window.location.hash);
      return match ? match[1] : null;
    }
    function withErrors() {
      var broken = sections.filter(function (section) { return section.querySelector(".errorlist, .errors"); });
      return broken.length ? broken[0].getAttribute("data-tab") : null;
    }
    function show(code) {
      if (!sections.some(function (section) { return section.getAttribute("data-tab") === code; })) {
        code = sections.length ? sections[0].getAttribute("data-tab") : null;
      }
      sections.forEach(function (section) { section.hidden = section.getAttribute("data-tab") !== code; });
      links.forEach(function (link) {
        var active = link.getAttribute("data-tab") === code;
        link.classList.toggle("active", active);
        if (active) { link.setAttribute("aria-current", "page"); } else { link.removeAttribute("aria-current"); }
      });
    }
    root.classList.add("settings-tabs-ready");
    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var code = link.getAttribute("data-tab");
        history.replaceState(null, "", "#tab-" + code);
        show(code);
      });
    });
    window.addEventListener("hashchange", function () { show(codeFromHash()); });
    // A form sent back with errors opens the tab that has them.
    show(withErrors() || codeFromHash());
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
