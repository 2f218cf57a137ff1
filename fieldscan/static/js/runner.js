/**
 * Runs a survey offline from a client plan (fieldscan/survey/client_plan.py) with the
 * rules of the server engine (fieldscan/survey/engine.py and answers.py): what to ask
 * next, progress, going back, clearing answers that stopped counting, and checking one
 * answer. Every message comes from the plan; every expression is evaluated by xpath.js.
 * The server re-validates everything on sync, so this is for the respondent's sake.
 *
 * Answers are a plain object {questionId: value}; a key whose value is null means
 * "skipped" (as None does on the server), and undefined counts as absent.
 *
 * validate() takes STRUCTURED input, as a web or tablet form sends it; it accepts a
 * subset of what the server accepts (never more, except for phone numbers), giving the
 * same value, and, whenever the server refuses, the server's message:
 * - select_one / yes_no: a choice value (yes_no also true/false);
 * - select_multiple: an array of choice values (a single string or integer counts as a
 *   one-value array); the value is deduplicated, in choice order;
 * - integer: a whole number, or text of 1 to 15 digits with an optional sign, in bounds;
 * - date: "YYYY-MM-DD" (or the engine's US "M/D/YYYY"), a real calendar date;
 * - phone: a light check only (7 to 15 digits, optional +); the value is provisional and
 *   the server normalizes it to E.164, or refuses it, on sync;
 * - text: NFC, trimmed, at most max_length characters.
 * @module runner
 */

import { XDate, asciiDigits, codePoints, daysInMonth, floatRepr, isTrue, pyStrip } from "./xpath.js";

/** The plan format this runner executes. */
export const PLAN_FORMAT = 1;

const INTEGER = /^[+-]?\p{Nd}{1,15}$/u;
const ISO = /^(\p{Nd}{4})-(\p{Nd}{2})-(\p{Nd}{2})$/u;
const US = /^(\p{Nd}{1,2})\/(\p{Nd}{1,2})\/(\p{Nd}{4})$/u;
const PHONE_PUNCTUATION = /[\s().\-]/gu;
const PHONE = /^\+?[0-9]{7,15}$/;
const MAX_PHONE_TEXT = 40;

/**
 * @typedef {object} Item  a question or note of the plan
 * @property {string} id
 * @property {string} type
 * @property {string|null} label
 * @property {string|null} hint
 * @property {boolean} required
 * @property {{value: string, label: string}[]} choices
 * @property {number|null} min
 * @property {number|null} max
 * @property {number|null} max_length
 * @property {Array|null} relevant  effective relevance AST (groups included)
 * @property {Array|null} constraint
 * @property {Object<string, string>} messages
 *
 * @typedef {object} Step
 * @property {Item|null} item  the next question, null when complete
 * @property {Item[]} notes  the notes to show before it (or at the end)
 * @property {boolean} complete
 * @property {{number: number, total: number}} progress
 *
 * @typedef {object} Result
 * @property {boolean} ok
 * @property {*} value  the normalized answer (null when skipped or refused)
 * @property {string|null} error  the engine's message in the plan's language
 * @property {boolean} skipped
 */

class Invalid extends Error {}

const takesAnswer = (item) => item.type !== "note";
const has = (answers, id) => Object.hasOwn(answers, id) && answers[id] !== undefined;

/** Python's str() of an int. */
const intText = (n) => (typeof n === "bigint" ? n : BigInt(n)).toString();

/** Python's _as_text(): text, or an integer's digits; null for anything else. */
function asText(raw) {
  if (typeof raw === "string") return raw;
  if (typeof raw === "bigint" || (typeof raw === "number" && Number.isInteger(raw))) {
    return intText(raw);
  }
  return null;
}

/** Python's _is_empty(): null, blank text, or a list of only empty things. */
function isEmpty(raw) {
  if (raw === null || raw === undefined) return true;
  if (typeof raw === "string") return pyStrip(raw) === "";
  if (Array.isArray(raw)) return raw.every(isEmpty);
  return false;
}

/** The local date of this device. @returns {XDate} */
function deviceToday(now = new Date()) {
  const iso = `${String(now.getFullYear()).padStart(4, "0")}-` +
    `${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
  return XDate.fromIso(iso);
}

function toDate(value) {
  if (value === undefined || value === null) return deviceToday();
  if (value instanceof XDate) return value;
  if (value instanceof Date) return deviceToday(value);
  const date = typeof value === "string" ? XDate.fromIso(value) : null;
  if (date === null) throw new Error(`today must be "YYYY-MM-DD", not ${value}`);
  return date;
}

const NORMALIZERS = {
  select_one: selectOne,
  yes_no: selectOne,
  select_multiple: selectMultiple,
  integer,
  date,
  phone,
  text,
};

function selectOne(item, raw) {
  if (item.type === "yes_no" && typeof raw === "boolean") return raw ? "yes" : "no";
  const text = asText(raw);
  const value = text === null ? null : pyStrip(text);
  if (value !== null && item.choices.some((choice) => choice.value === value)) return value;
  throw new Invalid(item.messages.invalid);
}

function selectMultiple(item, raw) {
  const list = Array.isArray(raw) ? raw : asText(raw) !== null ? [raw] : null;
  if (list === null) throw new Invalid(item.messages.invalid);
  const values = new Set(item.choices.map((choice) => choice.value));
  const chosen = new Set();
  for (const entry of list) {
    const entryText = asText(entry);
    const value = entryText === null ? "" : pyStrip(entryText);
    if (value === "") continue;
    if (!values.has(value)) throw new Invalid(item.messages.not_a_choice.split("{answer}").join(value));
    chosen.add(value);
  }
  return item.choices.map((choice) => choice.value).filter((value) => chosen.has(value));
}

function integer(item, raw) {
  let value = null;
  if (typeof raw === "number" && Number.isInteger(raw)) {
    value = raw + 0;
  } else if (typeof raw === "string" && INTEGER.test(pyStrip(raw))) {
    value = Number(asciiDigits(pyStrip(raw))) + 0;
  }
  const { min, max } = item;
  if (value !== null && (min === null || value >= min) && (max === null || value <= max)) {
    return value;
  }
  throw new Invalid(item.messages.invalid);
}

function date(item, raw) {
  const text = typeof raw === "string" ? pyStrip(raw) : "";
  let match = ISO.exec(text);
  let parts = match ? [match[1], match[2], match[3]] : null;
  if (!parts && (match = US.exec(text))) parts = [match[3], match[1], match[2]]; // month first
  if (parts) {
    const [y, m, d] = parts.map((part) => Number(asciiDigits(part)));
    if (y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)) {
      return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    }
  }
  throw new Invalid(item.messages.invalid);
}

function phone(item, raw) {
  const text = asText(raw);
  if (text !== null && codePoints(text) <= MAX_PHONE_TEXT) {
    const compact = asciiDigits(pyStrip(text)).replace(PHONE_PUNCTUATION, "");
    if (PHONE.test(compact)) {
      const digits = compact.replace("+", "");
      if (compact.startsWith("+")) return `+${digits}`;
      if (digits.length === 10) return `+1${digits}`; // a US clinic, as the server assumes
      if (digits.length === 11 && digits.startsWith("1")) return `+${digits}`;
      return digits; // the server decides on sync
    }
  }
  throw new Invalid(item.messages.invalid);
}

function text(item, raw) {
  let value;
  if (typeof raw === "string") {
    value = pyStrip(raw.normalize("NFC"));
  } else if (typeof raw === "bigint" || typeof raw === "number") {
    value = asText(raw) ?? floatRepr(raw);
  } else {
    throw new Invalid(item.messages.invalid);
  }
  if (codePoints(value) > item.max_length) throw new Invalid(item.messages.too_long);
  return value;
}

/**
 * A runner for one plan.
 * @param {object} plan  the JSON from the server's client_plan()
 * @param {{today?: string|Date|XDate|function(): (string|Date)}} [options]
 *   today: the date today() means ("YYYY-MM-DD"), or a function giving it; by default
 *   this device's local date at each call
 */
export function createRunner(plan, options = {}) {
  if (plan.format !== PLAN_FORMAT) throw new Error(`unsupported plan format ${plan.format}`);
  const items = plan.items;
  const byId = new Map(items.map((item) => [item.id, item]));
  const position = new Map(plan.order.map((id, index) => [id, index]));
  const offChannel = plan.off_channel ?? {};
  const answerable = plan.order.filter(
    (id) => (byId.has(id) && takesAnswer(byId.get(id))) || Object.hasOwn(offChannel, id),
  );
  const answerableSet = new Set(answerable);
  const relevance = (id) => (byId.has(id) ? byId.get(id).relevant : offChannel[id] ?? null);

  const today = () => toDate(typeof options.today === "function" ? options.today() : options.today);
  const isRelevant = (ast, answers, day) => ast === null || isTrue(ast, { answers, today: day });

  /** engine.applicable_answers */
  function applicableAt(answers, day) {
    const kept = {};
    for (const [id, value] of Object.entries(answers)) {
      if (answerableSet.has(id) && value !== undefined) kept[id] = value;
    }
    let changed = true;
    while (changed) { // each pass only removes keys, so this ends
      changed = false;
      for (const id of answerable) {
        if (Object.hasOwn(kept, id) && !isRelevant(relevance(id), kept, day)) {
          delete kept[id];
          changed = true;
        }
      }
    }
    return kept;
  }

  /** engine.relevant_questions on the plan's channel */
  function relevantItems(answers, day, includeNotes) {
    const kept = applicableAt(answers, day);
    return items.filter(
      (item) => (takesAnswer(item) || includeNotes) && isRelevant(item.relevant, kept, day),
    );
  }

  /** engine._is_answered: a required question stored as skipped still needs its answer */
  const isAnswered = (item, answers) =>
    has(answers, item.id) && (answers[item.id] !== null || !item.required);

  /**
   * The next relevant, unanswered question and the notes before it (engine.next_step).
   * @param {Object<string, *>} answers @returns {Step}
   */
  function nextStep(answers) {
    const list = relevantItems(answers, today(), true);
    const asked = list.filter(takesAnswer);
    let at = list.findIndex((item) => takesAnswer(item) && !isAnswered(item, answers));
    if (at < 0) at = list.length;
    let start = 0;
    for (let i = at - 1; i >= 0; i -= 1) {
      if (takesAnswer(list[i])) {
        start = i + 1;
        break;
      }
    }
    const notes = list.slice(start, at).filter((item) => !takesAnswer(item));
    if (at === list.length) {
      return { item: null, notes, complete: true, progress: { number: asked.length, total: asked.length } };
    }
    const item = list[at];
    return { item, notes, complete: false, progress: { number: asked.indexOf(item) + 1, total: asked.length } };
  }

  /**
   * The closest earlier relevant question that was answered or skipped, or null at the
   * first (engine.previous_question). currentId null means "from the end".
   * @param {Object<string, *>} answers @param {string|null} currentId @returns {Item|null}
   */
  function previous(answers, currentId) {
    let limit = plan.order.length;
    if (currentId !== null && currentId !== undefined) {
      if (!position.has(currentId)) throw new Error(`unknown question ${currentId}`);
      limit = position.get(currentId);
    }
    const candidates = relevantItems(answers, today(), false).filter(
      (item) => position.get(item.id) < limit && has(answers, item.id),
    );
    return candidates.length ? candidates[candidates.length - 1] : null;
  }

  /**
   * Checks and normalizes one structured answer (answers.validate_answer).
   * @param {string} itemId @param {*} raw @param {Object<string, *>} [answers] the
   *   answers so far, for the constraint @returns {Result}
   */
  function validate(itemId, raw, answers = {}) {
    const item = byId.get(itemId);
    if (!item) throw new Error(`unknown question ${itemId}`);
    if (!takesAnswer(item)) throw new Error(`${itemId} is a ${item.type} and takes no answer`);
    const refuse = (error) => ({ ok: false, value: null, error, skipped: false });
    let value = null;
    if (!isEmpty(raw)) {
      try {
        value = NORMALIZERS[item.type](item, raw);
      } catch (error) {
        if (error instanceof Invalid) return refuse(error.message);
        throw error;
      }
    }
    if (value === null || (Array.isArray(value) && value.length === 0)) {
      if (item.required) return refuse(item.messages.required);
      return { ok: true, value: null, error: null, skipped: true };
    }
    if (item.constraint !== null && !isTrue(item.constraint, { answers, current: value, today: today() })) {
      return refuse(item.messages.constraint);
    }
    return { ok: true, value, error: null, skipped: false };
  }

  return {
    plan,
    /** @param {string} id @returns {Item|undefined} */
    item: (id) => byId.get(id),
    nextStep,
    previous,
    validate,
    /** The answers that still count (engine.applicable_answers). @returns {Object} */
    applicable: (answers) => applicableAt(answers, today()),
    /** Whether every relevant question was answered or skipped. @returns {boolean} */
    isComplete: (answers) => nextStep(answers).complete,
  };
}
