// fieldscan service worker: keeps the interview pages, scripts and survey plans available
// without a connection. API calls are never cached; answers live in IndexedDB, not here.

const CACHE = "fieldscan-offline-v1";
const MANIFEST = "/interviews/offline-manifest.json";

async function precache() {
  const cache = await caches.open(CACHE);
  const response = await fetch(MANIFEST, { credentials: "same-origin" });
  if (!response.ok) return; // not signed in yet: the pages cache themselves on first visit
  const manifest = await response.json();
  const urls = [...manifest.pages, ...manifest.assets, ...manifest.plans];
  await Promise.all(
    urls.map(async (url) => {
      try {
        const page = await fetch(url, { credentials: "same-origin" });
        if (page.ok) await cache.put(url, page);
      } catch (error) {
        // One missing file must not stop the others from being cached.
      }
    }),
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "precache") event.waitUntil(precache());
});

function cacheable(url) {
  return (
    url.pathname.startsWith("/static/") ||
    url.pathname.startsWith("/interviews/plan/") ||
    url.pathname === "/interviews" ||
    url.pathname === "/interviews/run"
  );
}

// Network first, so online users always get fresh pages; the cache answers when offline.
async function networkFirst(request, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && cacheable(url)) await cache.put(url.pathname, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(url.pathname);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || !cacheable(url)) return;
  event.respondWith(networkFirst(event.request, url));
});
