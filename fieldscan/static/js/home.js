// The CHW home page: what waits to be sent and what is in progress on this tablet.

import * as store from "./store.js";
import { keepSyncing } from "./sync.js";

const ui = JSON.parse(document.getElementById("fieldscan-ui").textContent);
const submitUrl = document.getElementById("tablet-lists").dataset.submitUrl;

function item(record, text, link) {
  const li = document.createElement("li");
  const label = `${record.survey_id} · ${record.language} · ${new Date(record.started_at).toLocaleString()}`;
  if (link) {
    const a = document.createElement("a");
    a.href = link;
    a.textContent = `${ui.resume}: ${label}`;
    li.append(a);
  } else {
    li.textContent = label;
  }
  if (text) {
    const detail = document.createElement("p");
    detail.className = "error";
    detail.textContent = text;
    li.append(detail);
  }
  return li;
}

async function render() {
  const records = await store.all();
  const waiting = document.getElementById("waiting-list");
  const drafts = document.getElementById("draft-list");
  const queued = records.filter((r) => r.status === "queued" || r.status === "rejected");
  waiting.replaceChildren(
    ...queued.map((r) =>
      item(r, r.status === "rejected" ? (r.errors && r.errors.status === "conflict" ? ui.conflict : `${ui.invalid} ${JSON.stringify(r.errors && r.errors.detail)}`) : ""),
    ),
  );
  document.getElementById("waiting-count").textContent = String(queued.length);
  document.getElementById("waiting-empty").hidden = queued.length > 0;
  drafts.replaceChildren(
    ...records
      .filter((r) => r.status === "draft")
      .map((r) => item(r, "", `/interviews/run?resume=${encodeURIComponent(r.uuid)}`)),
  );
}

document.addEventListener("fieldscan:synced", render);
render().then(() => keepSyncing(submitUrl).then(render));
if (navigator.serviceWorker && navigator.serviceWorker.ready) {
  navigator.serviceWorker.ready.then((registration) => {
    if (registration.active) registration.active.postMessage("precache");
  });
}
