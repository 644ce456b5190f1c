/* The keyboard wedge: tell a scanner's keystrokes from a person typing on the scan box.

   A scan is: characters at most data-scan-max-key-ms apart (median gap, so one stall does not matter),
   or a value that landed in the box at once (paste, autofill, DataWedge "send as string"), ended by Enter,
   Tab or the configured suffix; a configured prefix is stripped. GS (ASCII 29) typed as Ctrl+] is put
   into the value as GS; the substitutes scanners type (<GS>, ^] ...) are left for the server's parser.
   Slow typing ended by Enter is not a scan unless the keypad is open (manual entry), and then the screen
   says so in one sentence. Every accepted code goes to window.floorScanBox.accept(code, source).
   Also: a station's screen joins `station:<code>` (set on /scanner-test) to receive scanner-agent scans. */
(function () {
  "use strict";

  const GS = "\u001d";
  const TYPED = "That was typed, not scanned: tap Keypad to type a code.";
  let keys = [];         // timestamps of characters typed into the box since it was last empty
  let typedChars = 0;

  function form(el) { return el && el.closest && el.closest("form[data-scan-form]"); }
  function settings(f) {
    return {
      prefix: f.dataset.scanPrefix || "",
      suffix: f.dataset.scanSuffix || "",
      maxKeyMs: parseInt(f.dataset.scanMaxKeyMs || "60", 10),
    };
  }
  function keypadOpen(input) { return input.inputMode === "text"; }
  function reset() { keys = []; typedChars = 0; }

  function note(f, text) {
    const el = f.parentElement.querySelector("[data-scan-note]");
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }

  function gaps() {
    const out = [];
    for (let i = 1; i < keys.length; i++) out.push(Math.round(keys[i] - keys[i - 1]));
    return out;
  }
  function median(list) {
    if (!list.length) return 0;
    const s = list.slice().sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  }

  let lastGaps = "";
  function finish(input, evt) {
    const f = form(input);
    const cfg = settings(f);
    let code = input.value;
    if (cfg.suffix && code.endsWith(cfg.suffix)) code = code.slice(0, -cfg.suffix.length);
    if (cfg.prefix && code.startsWith(cfg.prefix)) code = code.slice(cfg.prefix.length);
    if (!code.trim()) { reset(); return; }            // an empty Enter: let the form do what it does
    evt.preventDefault();
    keys.push(performance.now());                      // the terminator's own time counts
    const g = gaps();
    const atOnce = typedChars < code.length / 2;       // most of it did not come as keystrokes
    const fast = g.length > 0 && median(g) <= cfg.maxKeyMs;
    lastGaps = g.join(",");
    let source = null;
    if (atOnce || fast) source = "wedge";
    else if (keypadOpen(input)) source = "keypad";
    reset();
    if (!source) {
      input.value = "";
      note(f, TYPED);
      document.dispatchEvent(new CustomEvent("floor:typed", { detail: { gaps: lastGaps } }));
      return;
    }
    note(f, "");
    window.floorScanBox.accept(code, source);
  }

  document.addEventListener("keydown", function (evt) {
    const input = evt.target;
    if (!input.matches || !input.matches("form[data-scan-form] input[name=scan]")) return;
    const cfg = settings(form(input));
    if (evt.key === "Enter" || evt.key === "Tab") { finish(input, evt); return; }
    const gsKey = (evt.ctrlKey && (evt.key === "]" || evt.code === "BracketRight")) || evt.key === GS;
    if (gsKey) {                                                           // GS as a scanner types it
      evt.preventDefault();
      input.value += GS;
      keys.push(performance.now()); typedChars += 1;
      return;
    }
    if (evt.key.length === 1 && !evt.ctrlKey && !evt.metaKey) {
      if (input.value === "") reset();
      keys.push(performance.now()); typedChars += 1;
      if (cfg.suffix.length === 1 && evt.key === cfg.suffix) {              // a one-character suffix ends the scan
        finish(input, evt);
      }
    }
  }, true);

  // The scanner test page shows the key timing and who read the code.
  let lastSource = "";
  document.addEventListener("floor:scanned", function (evt) { lastSource = evt.detail.source; });
  document.addEventListener("htmx:configRequest", function (evt) {
    const f = form(evt.detail.elt);
    if (!f || !f.closest("main") || !document.querySelector(".scanner-test")) return;
    const params = evt.detail.parameters;
    const put = (k, v) => (params.set ? params.set(k, v) : (params[k] = v));
    put("key_gaps", lastSource === "wedge" || lastSource === "keypad" ? lastGaps : "");
    put("source", lastSource);
  });

  // A station screen: scans from `floorapp scanner-agent` arrive over Socket.IO in room station:<code>.
  const STATION_KEY = "floorapp.station";
  const seen = new Set();
  function station() { try { return localStorage.getItem(STATION_KEY) || ""; } catch (e) { return ""; } }
  function joinStation() {
    const socket = window.floorSocket;
    const code = station();
    if (!socket || !code) return;
    const join = () => socket.emit("station:join", { station: code });
    socket.on("connect", join);
    if (socket.connected) join();
  }
  function onUpdate(evt) {
    const d = evt.detail || {};
    if (d.name !== "station:scan" || !d.data || d.data.station !== station() || seen.has(d.data.id)) return;
    seen.add(d.data.id);
    window.floorScanBox.accept(d.data.code, "agent");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("floor-update", onUpdate);
    joinStation();
    const field = document.querySelector("[data-station-input]");
    if (field) {
      field.value = station();
      field.addEventListener("change", function () {
        try { localStorage.setItem(STATION_KEY, field.value.trim()); } catch (e) { /* private mode */ }
        joinStation();
      });
    }
  });

  window.floorWedge = { TYPED: TYPED };
})();
