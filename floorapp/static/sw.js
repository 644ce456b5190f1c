/* floorapp's service worker: the picking screens load with no network.

   The server prepends `self.FLOOR = {version, shell, pages}` (floorapp/web/offline.py): the app shell's
   files (css, floor.js, offline.js, vendored htmx and socket.io ...), and the URL prefix of the pages
   to keep (the pick screens). Static files: cache first (refreshed in the background). Pages: network
   first; the last good copy answers when there is no network. Only GET: a POST (a scan) is never
   cached or answered from a cache; scans wait in offline.js's queue instead. htmx fragment requests and
   JSON go to the network only. Service workers need a secure context: https, or localhost/127.0.0.1. */
"use strict";

const CONFIG = self.FLOOR || { version: "dev", shell: [], pages: [] };
const SHELL_CACHE = "floor-shell-" + CONFIG.version;
const PAGE_CACHE = "floor-pages";
const LAST_PAGE = "/__floor/last-pick-page";
const FROM_CACHE = "X-Floorapp-Offline";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    // One missing file must not stop the worker from installing.
    return Promise.all(CONFIG.shell.map(function (url) { return cache.add(url).catch(function () {}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.startsWith("floor-shell-") && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function isPage(url) {
  return CONFIG.pages.some(function (prefix) { return url.pathname === prefix.replace(/\/$/, "") || url.pathname.startsWith(prefix); });
}
function isShell(url) { return CONFIG.shell.indexOf(url.pathname) >= 0; }

// A copy without the redirect flag: a redirected response may not answer a navigation.
function plain(response) {
  return response.blob().then(function (body) {
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  });
}

function keepPage(request, response) {
  const url = new URL(response.url || request.url);
  if (!response.ok || !isPage(url) || (response.headers.get("Content-Type") || "").indexOf("text/html") < 0) {
    return Promise.resolve();
  }
  return plain(response).then(function (copy) {
    return caches.open(PAGE_CACHE).then(function (cache) {
      const keys = [new URL(request.url).pathname, url.pathname, LAST_PAGE];
      return Promise.all(keys.map(function (key) { return cache.put(key, copy.clone()); }));
    });
  });
}

function fromCache(response) {
  const headers = new Headers(response.headers);
  headers.set(FROM_CACHE, "cache");
  return response.blob().then(function (body) {
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function pageNetworkFirst(request) {
  return fetch(request).then(function (response) {
    const copy = response.clone();
    return keepPage(request, copy).then(function () { return response; }, function () { return response; });
  }, function () {
    // The start of the pick screens (/pick/ sends a picker to their task) answers with the last pick page
    // seen; another page with its own last copy, else the last pick page too.
    const path = new URL(request.url).pathname;
    const keys = CONFIG.pages.indexOf(path) >= 0 ? [LAST_PAGE, path] : [path, LAST_PAGE];
    return caches.open(PAGE_CACHE).then(function (cache) {
      return cache.match(keys[0]).then(function (hit) { return hit || cache.match(keys[1]); });
    }).then(function (hit) {
      if (hit) return fromCache(hit);
      return new Response("<!doctype html><title>No network</title><p>No network, and this screen was not " +
                          "opened here before. Scans wait on the device.</p>",
                          { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

function shellCacheFirst(request, event) {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (hit) {
      const refresh = fetch(request).then(function (response) {
        if (response.ok) return cache.put(request, response.clone()).then(function () { return response; });
        return response;
      });
      if (hit) {
        event.waitUntil(refresh.catch(function () {}));
        return hit;
      }
      return refresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return; // scans and every other POST: straight to the network, never cached
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.headers.get("HX-Request")) return; // fragments: live data only
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(pageNetworkFirst(request));
  } else if (isShell(url)) {
    event.respondWith(shellCacheFirst(request, event));
  }
});

// offline.js asks to keep the page it was loaded on (the first visit was not fetched through the worker).
self.addEventListener("message", function (event) {
  const urls = (event.data && event.data.keep) || [];
  event.waitUntil(Promise.all(urls.map(function (href) {
    const url = new URL(href, self.location.origin);
    if (url.origin !== self.location.origin || !isPage(url)) return Promise.resolve();
    const request = new Request(url.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    return fetch(request).then(function (response) { return keepPage(request, response); }).catch(function () {});
  })));
});
