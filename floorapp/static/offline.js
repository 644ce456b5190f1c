/* floorapp offline: never lose a scan when the Wi-Fi drops between racks.

   - Scans made while there is no network (navigator.onLine false, or a scan request that got no answer)
     go to a queue in IndexedDB with their scan id, the screen's post URL, the code and the time. A page
     reload keeps them. A counter ("3 scans waiting to send") shows how many wait.
   - The queue is sent in order, one scan at a time, each with its original scan id, when the network is
     back (online event, and a retry every few seconds). The server answers a repeated id with its first
     answer, so a scan that did arrive before is never counted twice.
   - Meanwhile the picker keeps going: the task's remaining route (GET /pick/task.json, fetched after each
     step) is on the device, and static/offline_steps.js checks location -> product -> qty -> tote
     locally, with ok/refused feedback for codes that are plainly wrong. The steps come from the server's
     data; a step this device cannot check is taken on trust and checked by the server when sent.
   - A scan the server refuses when it is finally sent (say the stock was taken meanwhile) is shown to
     the picker as an exception to acknowledge; then the screen re-syncs from the server.
   - A service worker (/sw.js) keeps the picking screens loadable with no network. */
(function () {
  "use strict";

  const script = document.currentScript;
  const CONFIG = {
    sw: script && script.dataset.sw,
    taskJson: script && script.dataset.taskJson,
    messages: (function () { try { return JSON.parse(script.dataset.messages || "{}"); } catch (e) { return {}; } })(),
  };
  const RETRY_MS = 3000;
  const SEND_TIMEOUT_MS = 10000;
  const MAX_SERVER_ERRORS = 3;

  // ------------------------------------------------------------------------------------------ IndexedDB
  let dbPromise = null;
  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      const request = indexedDB.open("floorapp-offline", 1);
      request.onupgradeneeded = function () {
        const db = request.result;
        db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        db.createObjectStore("tasks", { keyPath: "task" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return dbPromise;
  }
  function withStore(name, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(name, mode);
        let result;
        const request = fn(tx.objectStore(name));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  const queue = {
    add: function (entry) { return withStore("queue", "readwrite", function (s) { return s.add(entry); }); },
    first: function () {
      return withStore("queue", "readonly", function (s) { return s.openCursor(); })
        .then(function (cursor) { return cursor ? cursor.value : null; });
    },
    remove: function (seq) { return withStore("queue", "readwrite", function (s) { return s.delete(seq); }); },
    count: function () { return withStore("queue", "readonly", function (s) { return s.count(); }); },
    update: function (entry) { return withStore("queue", "readwrite", function (s) { return s.put(entry); }); },
  };
  const tasks = {
    get: function (id) { return withStore("tasks", "readonly", function (s) { return s.get(id); }); },
    put: function (record) { return withStore("tasks", "readwrite", function (s) { return s.put(record); }); },
  };

  // ------------------------------------------------------------------------------------------ state
  let waiting = 0;          // scans in the queue
  let noAnswer = false;     // a request got no answer: queue until a queued scan goes through again
  let sending = false;
  let loginNeeded = false;
  let logoutAsked = false;  // the picker tried to log out with scans waiting
  let refusals = [];        // scans the server refused when they were sent: shown until acknowledged
  let route = null;         // the task as the server last described it (task.json)
  let local = null;         // where this device thinks the task is: {task, line, step, counted, totes}
  let ready = Promise.resolve();

  function msg(name, values) {
    const m = (route && route.messages && route.messages[name]) || CONFIG.messages[name] || name;
    return m.replace(/\{(\w+)\}/g, function (_all, key) { return values && key in values ? values[key] : ""; });
  }

  function shouldQueue() { return !navigator.onLine || noAnswer || waiting > 0 || sending; }

  function stepElement() { return document.getElementById("step"); }
  function currentTaskId() {
    const step = stepElement();
    const id = step && parseInt(step.dataset.task || "", 10);
    return isNaN(id) ? (local && local.task) || null : id;
  }
  function csrfToken() {
    const field = document.querySelector("form[data-scan-form] input[name=csrf_token]") ||
                  document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  // ------------------------------------------------------------------------------------------ counter
  function showStatus() {
    const status = document.getElementById("offline-status");
    if (!status) return;
    status.dataset.waiting = String(waiting);
    let text = "";
    if (!waiting) logoutAsked = false;
    if (loginNeeded && waiting) text = msg("OFFLINE_LOGIN");
    else if (logoutAsked) text = msg("OFFLINE_BEFORE_LOGOUT", { count: waiting });
    else if (waiting === 1) text = msg("OFFLINE_WAITING_ONE");
    else if (waiting > 1) text = msg("OFFLINE_WAITING", { count: waiting });
    if (!navigator.onLine || noAnswer) text = (text ? text + " " : "") + (waiting ? "" : msg("OFFLINE_NO_NETWORK"));
    status.textContent = text.trim();
    status.hidden = !text.trim();
    status.classList.toggle("offline-status-down", !navigator.onLine || noAnswer);
    document.body.classList.toggle("is-offline", !navigator.onLine || noAnswer);
  }

  function showRefusals() {
    const box = document.getElementById("offline-refused");
    if (!box) return;
    box.dataset.refused = String(refusals.length);
    box.hidden = refusals.length === 0;
    if (!refusals.length) return;
    box.querySelector(".offline-refused-title").textContent = refusals.length === 1
      ? msg("OFFLINE_REFUSED_ONE") : msg("OFFLINE_REFUSED", { count: refusals.length });
    const list = box.querySelector("ul");
    list.textContent = "";
    refusals.forEach(function (r) {
      const item = document.createElement("li");
      item.dataset.code = r.code;
      item.textContent = r.code + ": " + r.message;
      list.appendChild(item);
    });
    box.querySelector(".hint").textContent = msg("OFFLINE_REFUSED_HINT");
    box.querySelector("[data-offline-dismiss]").textContent = msg("OFFLINE_DISMISS");
  }

  function refreshCount() {
    return queue.count().then(function (n) { waiting = n; showStatus(); return n; });
  }

  // ------------------------------------------------------------------------------------------ the route
  function fetchRoute(taskId) {
    if (!CONFIG.taskJson || !navigator.onLine || !taskId) return Promise.resolve(null);
    return fetch(CONFIG.taskJson + "?task=" + encodeURIComponent(taskId), {
      credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store",
    }).then(function (answer) {
      return answer.ok ? answer.json() : null;
    }).then(function (data) {
      if (!data || !data.task) return null;
      // A fresh route from the server is the truth, unless scans still wait (then the device's view runs on).
      if (waiting === 0 && !sending) {
        route = data;
        local = { task: data.task, line: 0, step: data.step, counted: data.counted, totes: data.totes.slice() };
        return tasks.put({ task: data.task, route: route, local: local, at: Date.now() }).then(function () { return data; });
      }
      return null;
    }).catch(function () { return null; });
  }

  function loadStoredRoute(taskId) {
    if (!taskId) return Promise.resolve();
    return tasks.get(taskId).then(function (record) {
      if (record) { route = record.route; local = record.local; }
    }).catch(function () {});
  }

  function saveLocal() {
    if (!route || !local) return Promise.resolve();
    return tasks.put({ task: local.task, route: route, local: local, at: Date.now() }).catch(function () {});
  }

  // ------------------------------------------------------------------------------------------ local steps
  // (static/offline_steps.js: one scan against the device's view of the task, and the #step panel)
  const steps = window.floorOfflineSteps({
    route: function () { return route; }, local: function () { return local; }, msg: msg, stepElement: stepElement,
  });
  function localScan(code) { return steps.localScan(code); }
  function renderLocal(outcome) { return steps.renderLocal(outcome); }

  // ------------------------------------------------------------------------------------------ taking scans
  function enqueue(entry) {
    waiting += 1; // counted at once, so the next scan queues behind it even before IndexedDB answers
    showStatus();
    ready = ready.then(function () { return queue.add(entry); })
      .catch(function () { /* IndexedDB refused (private mode, full disk): the counter still shows it */ })
      .then(refreshCount);
    return ready;
  }

  function take(code, form) {
    const entry = {
      scanId: window.floorNewScanId ? window.floorNewScanId() : String(Date.now()) + Math.random(),
      url: form.getAttribute("hx-post") || form.getAttribute("action"),
      code: code, at: new Date().toISOString(), task: currentTaskId(), csrf: csrfToken(),
    };
    const outcome = localScan(code);
    entry.device = outcome.result;
    saveLocal();
    renderLocal(outcome);
    enqueue(entry);
    scheduleSend(0);
  }

  // A scan sent online that got no answer: it waits with the id it was sent with.
  function takeFailed(pending, form) {
    noAnswer = true;
    const entry = { scanId: pending.scanId, url: pending.url || form.getAttribute("hx-post"), code: pending.code,
                    at: new Date().toISOString(), task: currentTaskId(), csrf: csrfToken() };
    const outcome = localScan(pending.code);
    entry.device = outcome.result;
    saveLocal();
    renderLocal(outcome);
    enqueue(entry);
    scheduleSend(RETRY_MS);
  }

  // ------------------------------------------------------------------------------------------ sending
  let timer = null;
  function scheduleSend(delay) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; send(); }, delay);
  }

  function stepOfAnswer(text) {
    const doc = new DOMParser().parseFromString(text, "text/html");
    const step = doc.getElementById("step");
    const feedback = doc.querySelector("#step .feedback, .feedback");
    return { result: step ? step.dataset.result : "", message: feedback ? feedback.textContent.trim() : "" };
  }

  function postOne(entry) {
    const token = csrfToken() || entry.csrf;
    const body = new URLSearchParams({ scan: entry.code, scan_id: entry.scanId, csrf_token: token });
    const controller = new AbortController();
    const timeout = setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS);
    return fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin", signal: controller.signal, cache: "no-store",
      headers: { "HX-Request": "true", "X-CSRFToken": token },
    }).finally(function () { clearTimeout(timeout); });
  }

  function send() {
    if (sending) return Promise.resolve();
    if (!navigator.onLine) { showStatus(); return Promise.resolve(); }
    sending = true;
    let sentAny = false;
    showStatus();
    const next = function () {
      return ready.then(queue.first).then(function (entry) {
        if (!entry) return "empty";
        return postOne(entry).then(function (answer) {
          if (answer.status === 401) { loginNeeded = true; return "stop"; }
          loginNeeded = false;
          noAnswer = false;
          return answer.text().then(function (text) {
            if (answer.status >= 500) {
              entry.errors = (entry.errors || 0) + 1;
              if (entry.errors < MAX_SERVER_ERRORS) return queue.update(entry).then(function () { return "stop"; });
              refusals.push({ code: entry.code, message: msg("OFFLINE_SERVER_ERROR", { status: answer.status }) });
            } else {
              const seen = stepOfAnswer(text);
              // Refused by the server where the device had taken it: the picker must hear of it. (One the
              // device refused too was already told at the rack.)
              if ((answer.status !== 200 || seen.result === "refused") && entry.device !== "refused") {
                refusals.push({ code: entry.code, message: seen.message || ("HTTP " + answer.status) });
              }
            }
            sentAny = true;
            return queue.remove(entry.seq).then(refreshCount).then(next);
          });
        }, function () { noAnswer = true; return "stop"; }); // still no network: try again later
      });
    };
    return next().then(function (how) {
      sending = false;
      showStatus();
      showRefusals();
      if (how === "empty") {
        if (refusals.length && window.floorFeedback) window.floorFeedback("refused");
        if (sentAny) resync();
      } else {
        scheduleSend(RETRY_MS);
      }
    }, function () { sending = false; showStatus(); scheduleSend(RETRY_MS); });
  }

  // After the queue is sent the server's view is the truth: fetch the current step and swap it in.
  function resync() {
    const url = (route && route.page_url) || window.location.pathname;
    if (window.htmx && stepElement()) {
      window.htmx.ajax("GET", url, { target: "#step", swap: "outerHTML" });
    }
  }

  // ------------------------------------------------------------------------------------------ wiring
  document.addEventListener("htmx:afterSwap", function (evt) {
    const step = stepElement();
    // A refused scan changed nothing: the route the device holds is still right.
    if (!step || !step.dataset.task || step.dataset.offline || step.dataset.result === "refused") return;
    // The device follows the accepted scan at once, so it is not a step behind if the network drops before
    // the fresh route arrives; the route from the server then replaces its view.
    const config = evt.detail && evt.detail.requestConfig;
    const code = config && config.verb === "post" && config.parameters && config.parameters.get
      ? config.parameters.get("scan") : null;
    if (code && route && local && String(local.task) === step.dataset.task && waiting === 0) {
      localScan(code);
      if (local.step !== step.dataset.expect) local = null; // out of step: wait for the server's route
      else saveLocal();
    }
    fetchRoute(step.dataset.task);
  });

  // Scans still waiting belong to the person who made them: no logging out until they are sent.
  document.addEventListener("submit", function (evt) {
    if (!evt.target.matches || !evt.target.matches("form.logout") || waiting === 0) return;
    evt.preventDefault();
    evt.stopImmediatePropagation();
    logoutAsked = true;
    showStatus();
    scheduleSend(0);
  }, true);

  window.addEventListener("online", function () { noAnswer = false; showStatus(); scheduleSend(0); });
  window.addEventListener("offline", function () { showStatus(); });

  document.addEventListener("click", function (evt) {
    if (!evt.target.closest("[data-offline-dismiss]")) return;
    refusals = [];
    showRefusals();
  });

  function registerServiceWorker() {
    if (!CONFIG.sw || !("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register(CONFIG.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // The first visit was not fetched through the worker: ask it to keep this page now.
      if (registration.active && !navigator.serviceWorker.controller) {
        registration.active.postMessage({ keep: [window.location.href] });
      }
    }).catch(function () { /* no worker (plain http on a LAN address): the queue still works */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const taskId = currentTaskId();
    ready = loadStoredRoute(taskId).then(refreshCount).then(function (n) {
      // Scans still waiting, or no network (the page may be the worker's copy of an older step): the device's view.
      if (local && local.task === taskId && (n > 0 || !navigator.onLine)) renderLocal(null);
      else if (navigator.onLine) fetchRoute(taskId);
      if (n > 0) scheduleSend(0);
    }).catch(function () {});
    showStatus();
    registerServiceWorker();
    setInterval(function () { if (waiting > 0 && !sending) send(); }, RETRY_MS * 3);
  });

  window.floorOffline = {
    shouldQueue: shouldQueue, take: take, takeFailed: takeFailed, send: send,
    waiting: function () { return waiting; },
    route: function () { return route; }, local: function () { return local; },
  };
})();
