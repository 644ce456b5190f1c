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
  // Online the scan form is submitted (htmx); with no network, or while older scans still wait, the scan
  // goes to the device's queue (static/offline.js) so scans reach the server in the order they were made.
  let accepting = false;
  function announce(code, source) {
    document.dispatchEvent(new CustomEvent("floor:scanned", { detail: { code: code, source: source || "keyboard" } }));
  }
  function queued(code, form) {
    if (!window.floorOffline || !window.floorOffline.shouldQueue()) return false;
    form.querySelector("input[name=scan]").value = "";
    window.floorOffline.take(code, form);
    return true;
  }
  window.floorScanBox = {
    accept: function (code, source) {
      const input = scanInput();
      if (!input || !code) return false;
      announce(code, source);
      if (queued(code, input.form)) return true;
      input.value = code;
      accepting = true;
      try { input.form.requestSubmit(); } finally { accepting = false; }
      return true;
    },
  };
  window.floorFeedback = feedback;
  window.floorNewScanId = newScanId;

  // A submit that did not come through accept() (Enter typed in the scan box, the form's own button) takes
  // the same road: announced, queued when it must wait, else sent. Capture phase: before htmx sees it.
  document.addEventListener("submit", function (evt) {
    const form = evt.target.closest && evt.target.closest("form[data-scan-form]");
    if (!form) return;
    if (!accepting) {
      const code = form.querySelector("input[name=scan]").value.trim();
      if (!code) { evt.preventDefault(); evt.stopImmediatePropagation(); return; }
      announce(code, "keyboard");
      if (queued(code, form)) { evt.preventDefault(); evt.stopImmediatePropagation(); return; }
    }
    // Without htmx (plain form post) the id is still made on the device.
    form.querySelector("input[name=scan_id]").value = newScanId();
  }, true);

  const SCAN_TIMEOUT_MS = 10000; // no answer by then: the scan goes to the queue (same scan id, so never twice)

  document.addEventListener("htmx:configRequest", function (evt) {
    const form = evt.detail.elt.closest && evt.detail.elt.closest("form[data-scan-form]");
    if (!form) return;
    const params = evt.detail.parameters;
    const code = params.get ? params.get("scan") : params["scan"];
    const input = form.querySelector("input[name=scan]");
    input.value = ""; // the value is already in the request; the box is ready for the next scan
    // A scan htmx held back (hx-sync queue) while an earlier one failed: it joins the queue behind it.
    if (window.floorOffline && window.floorOffline.shouldQueue()) {
      evt.preventDefault();
      if (code) window.floorOffline.take(code, form);
      return;
    }
    const id = newScanId();
    params.set ? params.set("scan_id", id) : (params["scan_id"] = id);
    evt.detail.timeout = SCAN_TIMEOUT_MS;
    form.floorPending = { scanId: id, code: code, url: evt.detail.path };
  });

  // No answer (network gone, or timed out): the scan is queued with the id it was sent with; if it did
  // reach the server, the server answers the resend with its first answer and changes nothing twice.
  function sendFailed(evt) {
    const form = evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("form[data-scan-form]");
    if (!form || !form.floorPending) return;
    const pending = form.floorPending;
    form.floorPending = null;
    if (window.floorOffline) window.floorOffline.takeFailed(pending, form);
  }
  document.addEventListener("htmx:sendError", sendFailed);
  document.addEventListener("htmx:timeout", sendFailed);
  document.addEventListener("htmx:afterRequest", function (evt) {
    const form = evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("form[data-scan-form]");
    if (form && evt.detail.xhr && evt.detail.xhr.status) form.floorPending = null; // answered
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    const step = document.getElementById("step");
    if (step && evt.detail.target && (evt.detail.target.id === "step" || evt.detail.elt === step)) {
      feedback(step.dataset.result);
      // A refusal that left the screen unsure where the task is: read the current step from the server.
      if (step.dataset.resync && window.htmx) {
        const url = step.dataset.resync;
        setTimeout(function () { window.htmx.ajax("GET", url, { target: "#step", swap: "outerHTML" }); }, 2500);
      }
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
