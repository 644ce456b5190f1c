/* Camera scanning: a live viewfinder; frames cut to the guide box on the device, sent to the server,
   decoded there; a read goes to window.floorScanBox.accept(code, "camera") like any scanner's.

   Frames go as the body of an HTTP POST (JPEG, long side <= 1280 px): the next frame is sent when the
   answer to the last one is in and at least FRAME_MS later, so a slow network gets fewer frames, never
   a queue. Nothing is stored on the device or the server. "Scan many" keeps the viewfinder open. */
(function () {
  "use strict";

  const FRAME_MS = 250;            // at most 4 frames a second
  const MAX_SIDE = 1280;
  const GUIDE = { w: 0.8, h: 0.45 }; // the guide box, as a share of the picture (wide: fits 1D codes)
  let view = null;

  function deviceId() {
    try {
      let id = localStorage.getItem("floorapp.device");
      if (!id) { id = Math.random().toString(36).slice(2, 12); localStorage.setItem("floorapp.device", id); }
      return id;
    } catch (e) { return ""; }
  }

  function csrfToken(form) {
    const field = form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function build() {
    const box = document.createElement("div");
    box.className = "viewfinder";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", "Camera");
    box.innerHTML =
      '<video playsinline muted autoplay></video>' +
      '<div class="guide" aria-hidden="true"></div>' +
      '<p class="viewfinder-status" role="status">Point at the code.</p>' +
      '<div class="viewfinder-buttons">' +
      '<button type="button" data-camera-torch hidden>Light</button>' +
      '<label class="many"><input type="checkbox" data-camera-many> Scan many</label>' +
      '<button type="button" data-camera-close>Close</button></div>';
    document.body.appendChild(box);
    return box;
  }

  function status(text) { if (view) view.box.querySelector(".viewfinder-status").textContent = text; }

  async function open(form) {
    if (view) return;
    const box = build();
    view = { box: box, form: form, stream: null, busy: false, timer: null, last: "", lastAt: 0,
             canvas: document.createElement("canvas"), torch: false };
    box.querySelector("[data-camera-close]").addEventListener("click", close);
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (e) {
      status("The camera could not be opened: allow camera use for this site, then tap Camera again.");
      return;
    }
    if (!view || view.box !== box) { stream.getTracks().forEach((t) => t.stop()); return; }  // closed meanwhile
    view.stream = stream;
    const video = box.querySelector("video");
    video.srcObject = view.stream;
    await video.play().catch(function () {});
    setUpTorch(box, view.stream.getVideoTracks()[0]);
    schedule(0);
  }

  function setUpTorch(box, track) {
    const caps = track && track.getCapabilities ? track.getCapabilities() : {};
    if (!caps.torch) return;
    const button = box.querySelector("[data-camera-torch]");
    button.hidden = false;
    button.addEventListener("click", function () {
      view.torch = !view.torch;
      track.applyConstraints({ advanced: [{ torch: view.torch }] }).catch(function () {});
      button.classList.toggle("on", view.torch);
    });
  }

  function close() {
    if (!view) return;
    clearTimeout(view.timer);
    if (view.stream) view.stream.getTracks().forEach((t) => t.stop());
    view.box.remove();
    view = null;
    const input = document.querySelector("form[data-scan-form] input[name=scan]");
    if (input) input.focus({ preventScroll: true });
  }

  function schedule(ms) {
    if (!view) return;
    clearTimeout(view.timer);
    view.timer = setTimeout(sendFrame, ms);
  }

  // Cut the guide box out of the video frame, scaled so its long side is at most MAX_SIDE.
  function grab() {
    const video = view.box.querySelector("video");
    const vw = video.videoWidth, vh = video.videoHeight;
    if (!vw || !vh) return null;
    const sw = Math.round(vw * GUIDE.w), sh = Math.round(vh * GUIDE.h);
    const sx = Math.round((vw - sw) / 2), sy = Math.round((vh - sh) / 2);
    const scale = Math.min(1, MAX_SIDE / Math.max(sw, sh));
    const canvas = view.canvas;
    canvas.width = Math.round(sw * scale);
    canvas.height = Math.round(sh * scale);
    canvas.getContext("2d").drawImage(video, sx, sy, sw, sh, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  }

  async function sendFrame() {
    if (!view || view.busy) return;
    const started = performance.now();
    const blob = await grab();
    if (!view) return;
    if (!blob) { schedule(100); return; }
    view.busy = true;
    let answer = null;
    try {
      const response = await fetch(view.form.dataset.cameraUrl, {
        method: "POST", body: blob, credentials: "same-origin",
        headers: { "Content-Type": blob.type, "X-CSRFToken": csrfToken(view.form), "X-Floor-Device": deviceId() },
      });
      answer = response.status === 429 ? { wait: true } : await response.json();
    } catch (e) {
      answer = { offline: true };
    }
    if (!view) return;
    view.busy = false;
    if (answer.codes && answer.codes.length) { found(answer.codes[0]); return; }
    if (answer.offline) status("No network: frames wait until it is back.");
    else if (answer.error) status(answer.error.message);
    schedule(Math.max(answer.wait ? 1000 : 0, FRAME_MS - (performance.now() - started)));
  }

  function found(code) {
    const many = view.box.querySelector("[data-camera-many]").checked;
    const now = performance.now();
    if (many && code.scan === view.last && now - view.lastAt < 2000) { schedule(FRAME_MS); return; }
    view.last = code.scan; view.lastAt = now;
    const form = view.form;
    if (!many) close(); else { status("Read " + code.text + ". Next code."); schedule(800); }
    document.dispatchEvent(new CustomEvent("floor:camera-read", { detail: code }));
    if (form.isConnected) window.floorScanBox.accept(code.scan, "camera");
  }

  document.addEventListener("click", function (evt) {
    const button = evt.target.closest && evt.target.closest("[data-camera]");
    if (!button) return;
    evt.preventDefault();
    open(button.form);
  });

  document.addEventListener("keydown", function (evt) { if (evt.key === "Escape") close(); });

  document.addEventListener("DOMContentLoaded", function () {
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return; // no camera API (or not https)
    document.querySelectorAll("form[data-scan-form] [data-camera]").forEach((b) => { b.hidden = false; });
  });

  window.floorCamera = { open: open, close: close };
})();
