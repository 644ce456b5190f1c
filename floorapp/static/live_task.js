/* Handhelds follow a supervisor's change to their pick task at once (reassigned, unassigned, paused, resumed,
   rushed): the server sends "task.changed" to the picker's own room; floor.js turns it into "floor-update".
   On a task screen the step re-fetches itself (a task that is no longer theirs sends them to the start
   screen); on the start screen the picker is taken to the work now waiting for them. No full reload
   in the middle of a task. */
(function () {
  "use strict";
  const pickHome = document.currentScript && document.currentScript.dataset.pickUrl;

  function refreshStep(step) {
    fetch(window.location.pathname, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (answer) {
        if (!answer.ok) { window.location.assign(pickHome); return null; }
        return answer.text();
      })
      .then(function (html) {
        if (html === null || html === undefined) return;
        const current = document.getElementById("step");
        if (!current) return;
        current.outerHTML = html;
        const fresh = document.getElementById("step");
        if (fresh && window.htmx) window.htmx.process(fresh);
        if (fresh) fresh.dataset.pushed = "task.changed";
      })
      .catch(function () { /* offline: the next scan or reconnect re-syncs */ });
  }

  function onUpdate(evt) {
    const detail = evt.detail || {};
    if (detail.name !== "task.changed" || !pickHome) return;
    const step = document.getElementById("step");
    if (!step) return;
    if (step.dataset.task) { refreshStep(step); return; }
    if (step.dataset.step === "start" && window.location.pathname === pickHome) window.location.assign(pickHome);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("floor-update", onUpdate);
  });
})();
