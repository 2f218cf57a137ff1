// Registers the service worker that keeps interviews working without a connection.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // Without a service worker the pages still work online; nothing to tell the user.
  });
}
