/* The on-screen quantity keypad of the picking screen: digits build a number, OK hands it to the scan box
   like any other reader (window.floorScanBox.accept), so it is sent, queued and answered the same way. */
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    const key = evt.target.closest("[data-qty-keypad] [data-key]");
    if (!key) return;
    const pad = key.closest("[data-qty-keypad]");
    const typed = pad.querySelector("[data-qty-typed]");
    const value = key.dataset.key;
    if (value === "C") {
      typed.textContent = "";
    } else if (value === "OK") {
      if (typed.textContent && window.floorScanBox) window.floorScanBox.accept(typed.textContent, "keypad");
    } else if (typed.textContent.length < 4) {
      typed.textContent += value;
    }
  });
})();
