// Sends queued interviews to the server's idempotent sync endpoint.
// A uuid the server already has comes back "duplicate": that counts as sent, so a retry after
// a lost reply never stores an interview twice.

import * as store from "./store.js";

let running = null;

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function payload(record) {
  return {
    uuid: record.uuid,
    survey_id: record.survey_id,
    survey_version: record.survey_version,
    language: record.language,
    started_at: record.started_at,
    completed_at: record.completed_at,
    answers: record.answers,
  };
}

/** Send every queued interview; resolves to {sent, rejected, failed}. One run at a time. */
export function syncNow(url = "/api/v1/sync") {
  if (!running) {
    running = send(url).finally(() => {
      running = null;
    });
  }
  return running;
}

// The server takes at most 500 interviews per request; smaller batches also keep retries cheap.
const BATCH = 100;

async function send(url) {
  const queued = await store.byStatus("queued");
  const outcome = { sent: 0, rejected: 0, failed: 0 };
  if (!queued.length || !navigator.onLine) {
    outcome.failed = queued.length;
    return outcome;
  }
  for (let start = 0; start < queued.length; start += BATCH) {
    const part = await sendBatch(url, queued.slice(start, start + BATCH));
    outcome.sent += part.sent;
    outcome.rejected += part.rejected;
    outcome.failed += part.failed;
  }
  document.dispatchEvent(new CustomEvent("fieldscan:synced", { detail: outcome }));
  return outcome;
}

async function sendBatch(url, queued) {
  const outcome = { sent: 0, rejected: 0, failed: 0 };
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ responses: queued.map(payload) }),
    });
  } catch (error) {
    outcome.failed = queued.length; // offline or server unreachable: keep them queued
    return outcome;
  }
  if (!response.ok) {
    outcome.failed = queued.length;
    return outcome;
  }
  const { results } = await response.json();
  for (const result of results) {
    const record = queued.find((item) => item.uuid === result.uuid);
    if (!record) continue;
    if (result.status === "created" || result.status === "duplicate") {
      record.status = "synced";
      record.errors = null;
      outcome.sent += 1;
    } else {
      record.status = "rejected";
      record.errors = { status: result.status, detail: result.errors || {} };
      outcome.rejected += 1;
    }
    await store.put(record);
  }
  return outcome;
}

/** Sync when the connection returns, and now and then while the page is open. */
export function keepSyncing(url) {
  window.addEventListener("online", () => syncNow(url));
  setInterval(() => syncNow(url), 30000);
  return syncNow(url);
}
