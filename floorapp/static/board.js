/* The floor board: live sections re-fetched by htmx on socket events (floor.js turns them into
   "floor-update"), a throughput chart drawn with the vendored uPlot, and no refresh under a busy hand. */
(function () {
  "use strict";

  function drawCharts(root) {
    if (!window.uPlot) return;
    root.querySelectorAll("[data-chart=throughput]").forEach(function (el) {
      const rows = JSON.parse(el.dataset.series || "[]");
      const hours = rows.map(function (r) { return Date.parse(r.hour + "Z") / 1000; });
      const lines = rows.map(function (r) { return r.lines; });
      el.innerHTML = "";
      if (!rows.length) { el.textContent = "No picks yet today."; return; }
      const width = Math.max(280, Math.min(el.clientWidth || 480, 720));
      new window.uPlot({
        width: width, height: 200, legend: { show: false },
        scales: { x: { time: true } },
        series: [{}, { label: "lines picked", stroke: "#111", fill: "rgba(10,125,40,0.25)", width: 2,
                       paths: window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [0.8] }) : undefined }],
        axes: [{}, { label: "lines / hour" }],
      }, [hours, lines], el);
    });
  }

  const MESSAGE_MS = 4000;

  // A section the supervisor is working in (a picker chosen in a list, a date typed) is not replaced
  // under their hand; it catches up on the next event after they leave it.
  document.addEventListener("htmx:beforeRequest", function (evt) {
    const elt = evt.detail.elt;
    if (!elt.matches || !elt.matches("[data-live-section]")) return;
    const active = document.activeElement;
    if (active && elt.contains(active) && active.matches("select, input, textarea")) { evt.preventDefault(); return; }
    // The answer to the supervisor's own action ("Task 4 given to Robin Reyes") stays readable for a few
    // seconds even when the event that action caused arrives at once; the section catches up after.
    const until = Number(elt.dataset.messageUntil || 0);
    if (until > Date.now()) {
      evt.preventDefault();
      if (!elt.dataset.catchUp) {
        elt.dataset.catchUp = "1";
        setTimeout(function () { document.body.dispatchEvent(new CustomEvent("floor-update")); }, until - Date.now());
      }
    }
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    document.querySelectorAll("[data-live-section]").forEach(function (section) {
      if (section.querySelector(".feedback") && !section.dataset.messageUntil) {
        section.dataset.messageUntil = String(Date.now() + MESSAGE_MS);
      }
    });
    drawCharts(document);
  });
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
})();
