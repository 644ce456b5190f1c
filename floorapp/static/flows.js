/* Buttons on receiving, returns, count and replenishment screens (Done, a reason, a disposition) answer
   like a scan: through floorScanBox.accept, so they carry a scan id and are never applied twice. */
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    const button = evt.target.closest("[data-scan-value]");
    if (!button || !window.floorScanBox) return;
    evt.preventDefault();
    window.floorScanBox.accept(button.dataset.scanValue, "button");
  });
})();
