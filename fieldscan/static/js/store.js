// Interviews kept in the browser (IndexedDB) until the server has them.
// Each record: {uuid, survey_id, survey_version, language, started_at, completed_at,
//               answers, current, status: "draft"|"queued"|"synced"|"rejected", errors}.

const DB_NAME = "fieldscan";
const STORE = "interviews";

/** Open (and create on first use) the database. */
function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "uuid" });
      store.createIndex("status", "status");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Save (insert or replace) an interview record. */
export function put(record) {
  return withStore("readwrite", (store) => store.put(record));
}

/** The interview with this uuid, or undefined. */
export function get(uuid) {
  return withStore("readonly", (store) => store.get(uuid));
}

/** Every stored interview. */
export function all() {
  return withStore("readonly", (store) => store.getAll());
}

/** Interviews with the given status. */
export async function byStatus(status) {
  return (await all()).filter((record) => record.status === status);
}

/** A new random uuid (v4), made on the tablet so a retried sync is recognised. */
export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
