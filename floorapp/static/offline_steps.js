/* floorapp offline: the picking steps the handheld checks by itself while the network is gone.

   static/offline.js holds the task's route (GET /pick/task.json) and the device's view of where the task
   is; this file applies one scan to that view, location -> product -> qty -> tote, as the server would,
   and draws the #step panel with the same contract as the server's (data-step, data-expect, data-code,
   data-result, data-task, plus data-offline="1"). The steps of each line come from the server
   (`line.steps`); a step marked `check: false`, or one this file does not know, is taken on trust and
   checked by the server when the scan is sent. */
(function () {
  "use strict";

  window.floorOfflineSteps = function (ctx) {
    let route = null;
    let local = null;
    const msg = ctx.msg;
    const stepElement = ctx.stepElement;
    function sync() { route = ctx.route(); local = ctx.local(); }

    function gtinCandidates(code) {
      let text = code.replace(/^\][A-Za-z]\d/, "").replace(/^\((01)\)/, "01");
      const out = [];
      const match = /^01(\d{14})/.exec(text);
      if (!match) return out;
      let gtin = match[1];
      out.push(gtin);
      while (gtin.length > 12 && gtin[0] === "0") { gtin = gtin.slice(1); out.push(gtin); }
      if (gtin.length === 12 && gtin.startsWith("0000")) out.push(gtin.slice(4));
      return out;
    }
    function lineOfProduct(code) {
      const candidates = [code].concat(gtinCandidates(code));
      for (const line of route.lines) {
        if (line.codes.some(function (c) { return candidates.indexOf(c) >= 0; })) return line;
      }
      return null;
    }
    function isLocation(code) { return route.lines.some(function (l) { return l.location === code; }); }

    function nextStepAfter(line, step) {
      const names = line.steps.map(function (s) { return s.expect; });
      const i = names.indexOf(step);
      return i >= 0 && i + 1 < names.length ? names[i + 1] : null;
    }
    function stepSpec(line, step) {
      return line.steps.find(function (s) { return s.expect === step; }) || { expect: step, check: false };
    }
    function toteSuggestion() { return local.totes.length ? local.totes[local.totes.length - 1] : ""; }
    function totePrompt(line) {
      const tote = toteSuggestion();
      return tote ? msg("SCAN_SAME_TOTE", { qty: local.counted, sku: line.sku, tote: tote })
                  : msg("SCAN_TOTE", { qty: local.counted, sku: line.sku });
    }
    function lineDone() {
      local.line += 1;
      local.counted = 0;
      const next = route.lines[local.line];
      local.step = next ? next.steps[0].expect : "done";
    }

    // One scan against the device's view of the task: {result: ok|refused|kept, message}.
    function localScan(code) {
      if (!route || !local) return { result: "kept", message: msg("OFFLINE_KEPT") };
      const line = route.lines[local.line];
      if (!line || local.step === "done") return { result: "refused", message: msg("TASK_FINISHED") };
      const spec = stepSpec(line, local.step);
      if (!spec.check) { // a step this device cannot judge: taken on trust, the server checks it when sent
        local.step = nextStepAfter(line, local.step) || "tote";
        return { result: "kept", message: msg("OFFLINE_UNCHECKED") };
      }
      if (local.step === "location") {
        if (code === line.location) {
          local.step = nextStepAfter(line, "location");
          return { result: "ok", message: msg("SCAN_PRODUCT", { sku: line.sku, name: line.name }) };
        }
        return { result: "refused", message: isLocation(code)
          ? msg("WRONG_LOCATION", { scanned: code, expected: line.location })
          : msg("NOT_A_LOCATION", { scanned: code, expected: line.location }) };
      }
      if (local.step === "product" || local.step === "qty") {
        let counted = null;
        const digits = route.max_typed_qty_digits || 4;
        if (local.step === "qty" && /^\d+$/.test(code) && code.length <= digits) {
          const typed = parseInt(code, 10);
          if (typed < 1 || typed > line.qty) return { result: "refused", message: msg("QTY_INVALID", { remaining: line.qty }) };
          counted = typed;
        } else {
          const found = lineOfProduct(code);
          if (!found) return { result: "refused", message: msg("NOT_FOUND", { scanned: code, sku: line.sku, name: line.name }) };
          if (found.sku !== line.sku) {
            return { result: "refused", message: msg("WRONG_PRODUCT", { scanned_sku: found.sku, scanned_name: found.name,
                                                                       sku: line.sku, name: line.name }) };
          }
          counted = local.step === "product" ? 1 : local.counted + 1;
        }
        if (counted > line.qty) {
          return { result: "refused", message: msg("OVER_PICK", { qty: line.qty, sku: line.sku, counted: counted,
                                                                  extra: counted - line.qty }) };
        }
        local.counted = counted;
        if (counted === line.qty) { local.step = "tote"; return { result: "ok", message: totePrompt(line) }; }
        local.step = "qty";
        return { result: "ok", message: msg("COUNT_MORE", { counted: counted, qty: line.qty }) };
      }
      if (local.step === "tote") {
        const rule = line.tote_rule || { own: [], free_ok: true };
        const own = (rule.own || []).concat(local.totes);
        const plainlyNot = isLocation(code) || lineOfProduct(code) !== null;
        if (own.indexOf(code) < 0 && (plainlyNot || !rule.free_ok)) {
          return { result: "refused", message: msg("NOT_A_TOTE", { scanned: code }) };
        }
        if (local.totes.indexOf(code) < 0) local.totes.push(code);
        const done = msg("LINE_DONE", { qty: local.counted, sku: line.sku, tote: code });
        lineDone();
        if (local.step === "done") return { result: "ok", message: msg("TASK_DONE", { totes: local.totes.join(", ") }) };
        return { result: "ok", message: done + " " + promptFor(route.lines[local.line]) };
      }
      return { result: "kept", message: msg("OFFLINE_UNCHECKED") };
    }

    function promptFor(line) {
      if (!line) return msg("TASK_DONE", { totes: local.totes.join(", ") });
      if (local.step === "location") return msg("SCAN_LOCATION", { location: line.location });
      if (local.step === "product") return msg("SCAN_PRODUCT", { sku: line.sku, name: line.name });
      if (local.step === "qty") return msg("COUNT_MORE", { counted: local.counted, qty: line.qty });
      if (local.step === "tote") return totePrompt(line);
      return msg("OFFLINE_UNCHECKED");
    }

    // The #step panel, drawn on the device, with the same contract as the server's (data-step, data-expect,
    // data-code, data-result, data-task) so the scan box, scripts and tests read it the same way.
    function el(tag, className, text) {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }
    function renderLocal(outcome) {
      const old = stepElement();
      if (!old) return;
      if (!route || !local || !route.lines) { // the device does not know the task: the same panel, marked kept
        const same = old.cloneNode(true);
        same.dataset.offline = "1";
        same.dataset.result = outcome ? "ok" : "";
        const previous = same.querySelector(".feedback");
        if (previous) previous.remove();
        if (outcome) {
          const note = el("p", "feedback feedback-ok", outcome.message);
          note.setAttribute("role", "status");
          same.insertBefore(note, same.firstChild);
        }
        old.replaceWith(same);
        if (outcome && window.floorFeedback) window.floorFeedback("ok");
        return;
      }
      const line = route.lines[local.line];
      const panel = el("section", "step step-offline");
      panel.id = "step";
      const step = line ? local.step : "done";
      panel.dataset.step = step;
      panel.dataset.expect = step;
      panel.dataset.code = !line ? local.totes.join(" ") : step === "location" ? line.location
        : step === "tote" ? toteSuggestion() : line.sku;
      panel.dataset.result = outcome ? (outcome.result === "refused" ? "refused" : "ok") : "";
      panel.dataset.task = String(local.task);
      if (route.order) panel.dataset.order = route.order;
      panel.dataset.offline = "1";
      if (outcome) {
        const kind = outcome.result === "refused" ? "refused" : "ok";
        const feedback = el("p", "feedback feedback-" + kind, outcome.message);
        feedback.setAttribute("role", "status");
        panel.appendChild(feedback);
      }
      if (!line) {
        panel.appendChild(el("p", "label", "All picked"));
        panel.appendChild(el("p", "instruction", local.totes.join(", ")));
      } else if (step === "location") {
        panel.appendChild(el("p", "label", "Go to"));
        panel.appendChild(el("p", "instruction", line.location));
        panel.appendChild(el("p", "what", line.qty + " × " + line.sku + " · " + line.name));
      } else if (step === "product") {
        panel.appendChild(el("p", "label", "At " + line.location + " scan"));
        panel.appendChild(el("p", "instruction", line.sku));
        panel.appendChild(el("p", "what", line.name));
      } else if (step === "qty") {
        panel.appendChild(el("p", "label", line.sku + " · " + line.name));
        panel.appendChild(el("p", "instruction", local.counted + " of " + line.qty));
      } else if (step === "tote") {
        panel.appendChild(el("p", "label", "Put " + local.counted + " × " + line.sku + " into"));
        panel.appendChild(el("p", "instruction", toteSuggestion() || "a tote"));
      } else {
        panel.appendChild(el("p", "label", step));
        panel.appendChild(el("p", "instruction", promptFor(line)));
      }
      panel.appendChild(el("p", "hint", msg("OFFLINE_NO_NETWORK")));
      if (line) {
        panel.appendChild(el("p", "progress", "Line " + (local.line + 1) + " of " + route.lines.length +
                                              (route.order ? " · Order " + route.order : "")));
      }
      old.replaceWith(panel);
      if (outcome && window.floorFeedback) window.floorFeedback(panel.dataset.result);
    }

    return {
      localScan: function (code) { sync(); return localScan(code); },
      renderLocal: function (outcome) { sync(); return renderLocal(outcome); },
    };
  };
})();
