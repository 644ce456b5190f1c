/* floorapp on the floor: the scan box, scan ids, feedback you notice without looking, live updates.
   No framework; htmx does the requests. */
(function () {
  "use strict";

  // A scan id made on the device (works without a secure context, unlike crypto.randomUUID).
  function newScanId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function scanInput() {
    return document.querySelector("form[data-scan-form] input[name=scan]");
  }

  // The scan box always has focus, unless the person is working another field.
  function keepFocus() {
    const input = scanInput();
    if (!input) return;
    const active = document.activeElement;
    const busyElsewhere = active && active !== input && active.matches("input, select, textarea");
    if (!busyElsewhere && getComputedStyle(input).display !== "none") input.focus({ preventScroll: true });
  }

  // Feedback: green flash + short high beep + short buzz, or red + low double buzz + long vibration.
  let audio;
  function tone(freq, start, length) {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    osc.type = freq < 400 ? "square" : "sine";
    gain.gain.value = 0.25;
    osc.connect(gain).connect(audio.destination);
    osc.start(audio.currentTime + start);
    osc.stop(audio.currentTime + start + length);
  }
  function feedback(result) {
    if (!result) return;
    document.body.classList.remove("flash-ok", "flash-refused");
    void document.body.offsetWidth; // restart the flash animation
    document.body.classList.add("flash-" + result);
    try {
      if (result === "ok") { tone(1760, 0, 0.08); } else { tone(220, 0, 0.15); tone(220, 0.22, 0.15); }
    } catch (e) { /* no audio device: the colour and vibration still tell */ }
    if (navigator.vibrate) navigator.vibrate(result === "ok" ? 40 : [300, 100, 300]);
  }

  // The one way a scan enters a screen, whatever read it: the keyboard-wedge reader, the camera, the keypad.
  // Every reader calls floorScanBox.accept(code, source); listeners get a "floor:scanned" event.
  window.floorScanBox = {
    accept: function (code, source) {
      const input = scanInput();
      if (!input || !code) return false;
      document.dispatchEvent(new CustomEvent("floor:scanned", { detail: { code: code, source: source || "keyboard" } }));
      input.value = code;
      input.form.requestSubmit();
      return true;
    },
  };

  document.addEventListener("htmx:configRequest", function (evt) {
    const form = evt.detail.elt.closest && evt.detail.elt.closest("form[data-scan-form]");
    if (!form) return;
    evt.detail.parameters.set ? evt.detail.parameters.set("scan_id", newScanId())
                              : (evt.detail.parameters["scan_id"] = newScanId());
    const input = form.querySelector("input[name=scan]");
    input.value = ""; // the value is already in the request; the box is ready for the next scan
  });

  // Without htmx (plain form post) the id is still made on the device.
  document.addEventListener("submit", function (evt) {
    const form = evt.target.closest("form[data-scan-form]");
    if (form) form.querySelector("input[name=scan_id]").value = newScanId();
  }, true);

  document.addEventListener("htmx:afterSwap", function (evt) {
    const step = document.getElementById("step");
    if (step && evt.detail.target && (evt.detail.target.id === "step" || evt.detail.elt === step)) {
      feedback(step.dataset.result);
    }
    keepFocus();
  });

  document.addEventListener("click", function (evt) {
    const button = evt.target.closest("[data-keypad]");
    if (!button) { setTimeout(keepFocus, 0); return; }
    const input = button.form.querySelector("input[name=scan]");
    input.inputMode = input.inputMode === "none" ? "text" : "none";
    input.blur();
    input.focus();
  });

  document.addEventListener("focusout", function () { setTimeout(keepFocus, 50); });

  // Live updates: the server pushes events; screens that show live data re-fetch their fragment.
  function connectLive() {
    if (!window.io || !document.querySelector("header.bar")) return;
    const socket = window.io({ transports: ["websocket", "polling"] });
    socket.onAny(function (name, data) {
      document.body.dispatchEvent(new CustomEvent("floor-update", { detail: { name: name, data: data } }));
    });
    // A client that reconnects re-syncs over HTTP.
    socket.io.on("reconnect", function () { document.body.dispatchEvent(new CustomEvent("floor-update")); });
    window.floorSocket = socket;
  }

  document.addEventListener("DOMContentLoaded", function () {
    keepFocus();
    connectLive();
  });
})();
