/**
 * Evaluates survey expression ASTs exported by fieldscan/survey/client_plan.py with the
 * semantics of the Python engine (fieldscan/survey/xpath_nodes.py, xpath_values.py).
 *
 * Values: strings, booleans, numbers (Python floats), BigInt (Python ints: integral
 * numbers read from answers, since JSON cannot tell 3 from 3.0 and the engine stores
 * integers as ints), arrays (select_multiple answers), null (unanswered) and XDate
 * (from today()). Every helper is total: odd data gives NaN, '' or false, never a throw.
 *
 * Known limits: Unicode tables (\p{Nd}, letters) are the JS engine's, which may be a newer
 * Unicode version than Python's; a regex() whose pattern is not a literal (or uses a
 * Python-only construct) is run as a JavaScript regex, and the plan lists such items in
 * `approximate`.
 * @module xpath
 */

/** Python's str.isspace() characters (what \s, str.strip() and str.split() use). */
const SPACE = "\\t-\\r\\u{1c}-\\u{20}\\u{85}\\u{a0}\\u{1680}\\u{2000}-\\u{200a}" +
  "\\u{2028}\\u{2029}\\u{202f}\\u{205f}\\u{3000}";
const STRIP = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, "gu");
const SPLIT = new RegExp(`[${SPACE}]+`, "u");
const NUMBER = new RegExp(`^[${SPACE}]*-?(?:\\p{Nd}+(?:\\.\\p{Nd}*)?|\\.\\p{Nd}+)[${SPACE}]*$`, "u");
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DIGIT = /\p{Nd}/u;
const DIGITS = /\p{Nd}/gu;
/** Python's float() does not strip these, though \s matches them. */
const FLOAT_REJECTS = /[\x1c-\x1f]/;
const MAX_NUMBER_TEXT = 400;
const MAX_REGEX_SUBJECT = 5000;
const MAX_REGEX_LENGTH = 200;

/** Python str.strip() with no argument. @param {string} text @returns {string} */
export function pyStrip(text) {
  return text.replace(STRIP, "");
}

/** Python str.split() with no argument. @param {string} text @returns {string[]} */
export function pySplit(text) {
  return text.split(SPLIT).filter((part) => part !== "");
}

/** Python len() of a str: code points, not UTF-16 units. @param {string} text */
export function codePoints(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** Decimal digits of any script (as Python's int()/float() read them) to ASCII. */
export function asciiDigits(text) {
  return text.replace(DIGITS, (ch) => {
    // Unicode assigns decimal digits in runs of ten, 0 to 9: find the run's zero.
    let cp = ch.codePointAt(0);
    let start = cp;
    while (DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
    return String((cp - start) % 10);
  });
}

/** A calendar date (Python's datetime.date), as days since 1970-01-01. */
export class XDate {
  /** @param {number} days */
  constructor(days) {
    this.days = days;
  }

  /** @returns {XDate|null} the date of "YYYY-MM-DD" (year 1 to 9999), else null */
  static fromIso(text) {
    const m = ISO_DATE.exec(text);
    if (!m) return null;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
    return new XDate(daysFromCivil(y, mo, d));
  }

  /** @returns {string} ISO "YYYY-MM-DD" */
  get iso() {
    const z = this.days + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) -
      Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    return `${String(y).padStart(4, "0")}-${pad2(m)}-${pad2(d)}`;
  }
}

const pad2 = (n) => String(n).padStart(2, "0");

/** @param {number} y @param {number} m */
export function daysInMonth(y, m) {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

function daysFromCivil(y, m, d) {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** An answer as the engine sees it: integral numbers are Python ints (BigInt here). */
export function fromAnswer(value) {
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(fromAnswer);
  return value;
}

/** Python repr() of a float. @param {number} x @returns {string} */
export function floatRepr(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exponent] = x.toExponential().split("e");
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  const exp = Number(exponent);
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const e = `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    return `${sign}${digits[0]}${frac}e${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

function formatNumber(x) {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x + 0);
  return floatRepr(x);
}

/** XPath string(): '' for unanswered, space-joined lists, 'true'/'false'. */
export function toStr(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return formatNumber(value);
  if (value instanceof XDate) return value.iso;
  if (Array.isArray(value)) return value.map(toStr).join(" ");
  return String(value);
}

/** XPath number(): NaN unless a number; dates (and ISO date text) are days since 1970. */
export function toNum(value) {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof XDate) return value.days;
  const text = typeof value === "string" ? value : toStr(value);
  if (text.length > MAX_NUMBER_TEXT && codePoints(text) > MAX_NUMBER_TEXT) return NaN;
  if (NUMBER.test(text)) {
    return FLOAT_REJECTS.test(text) ? NaN : Number(asciiDigits(pyStrip(text)));
  }
  const date = XDate.fromIso(pyStrip(text)); // date.fromisoformat(): ASCII digits only
  return date === null ? NaN : date.days;
}

/** XPath boolean(): '', 0, NaN, unanswered and empty selections are false. */
export function truthy(value) {
  if (value === null || value === undefined) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value !== 0n;
  if (typeof value === "number") return !(value === 0 || Number.isNaN(value));
  if (typeof value === "string") return value !== "";
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof XDate) return true;
  return toStr(value) !== "";
}

const isNumber = (v) => typeof v === "number" || typeof v === "bigint";

/** XPath comparison: booleans win, then numbers (and dates), else strings for = and !=. */
export function compare(op, left, right) {
  if (op === "=" || op === "!=") {
    let equal;
    if (typeof left === "boolean" || typeof right === "boolean") {
      equal = truthy(left) === truthy(right);
    } else if (isNumber(left) || isNumber(right) || left instanceof XDate || right instanceof XDate) {
      equal = toNum(left) === toNum(right);
    } else {
      equal = toStr(left) === toStr(right);
    }
    return op === "=" ? equal : !equal;
  }
  const a = toNum(left);
  const b = toNum(right);
  if (op === "<") return a < b;
  if (op === "<=") return a <= b;
  if (op === ">") return a > b;
  return a >= b;
}

/** + - * div mod with IEEE results; mod truncates like C fmod. */
export function arithmetic(op, left, right) {
  const a = toNum(left);
  const b = toNum(right);
  if (op === "+") return a + b;
  if (op === "-") return a - b;
  if (op === "*") return a * b;
  if (op === "div") return a / b;
  return a % b; // fmod: NaN for b = 0, infinite a or NaN; a for infinite b
}

/** The values of a select answer: a list, or a space-separated string. */
export function selectedValues(value) {
  if (Array.isArray(value)) return value.map((item) => pyStrip(toStr(item))).filter((s) => s);
  return pySplit(toStr(value));
}

/** int(): truncates toward zero (never -0); NaN and infinities pass through. */
export function xpathInt(value) {
  const n = toNum(value);
  return Number.isFinite(n) ? Math.trunc(n) + 0 : n;
}

const regexCache = new Map();

function compiled(source, flags) {
  const key = `${flags}/${source}`;
  if (!regexCache.has(key)) {
    let re = null;
    try {
      re = new RegExp(source, flags);
    } catch {
      re = null; // the server refuses such patterns too: no match
    }
    regexCache.set(key, re);
  }
  return regexCache.get(key);
}

/** ODK regex(value, pattern): whether the pattern matches anywhere in the value. */
export function regexMatches(subject, re) {
  const text = toStr(subject);
  if (re === null || codePoints(text) > MAX_REGEX_SUBJECT) return false;
  return re.test(text);
}

const CONTEXT_FUNCTIONS = new Set(["string-length", "number", "string"]);

const FUNCTIONS = {
  not: (v) => !truthy(v[0]),
  selected: (v) => selectedValues(v[0]).includes(pyStrip(toStr(v[1]))),
  "count-selected": (v) => selectedValues(v[0]).length,
  "string-length": (v) => codePoints(toStr(v[0])),
  number: (v) => toNum(v[0]),
  int: (v) => xpathInt(v[0]),
  string: (v) => toStr(v[0]),
  concat: (v) => v.map(toStr).join(""),
  coalesce: (v) => v.find((x) => toStr(x) !== "") ?? "",
  true: () => true,
  false: () => false,
};

/**
 * @typedef {object} Context
 * @property {Object<string, *>} answers question id -> answer (null: skipped)
 * @property {*} [current] the answer a constraint checks (`.`)
 * @property {XDate} today
 */

function answerOf(answers, id) {
  const value = Object.hasOwn(answers, id) ? answers[id] : null;
  return value === null || value === undefined ? "" : fromAnswer(value);
}

function ev(node, ctx) {
  switch (node[0]) {
    case "num":
      return Number(node[1]);
    case "str":
      return node[1];
    case "ref":
      return answerOf(ctx.answers, node[1]);
    case "cur":
      return ctx.current === null || ctx.current === undefined ? "" : fromAnswer(ctx.current);
    case "neg":
      return -toNum(ev(node[1], ctx));
    case "op":
      return chain(node, ctx);
    case "fn":
      return call(node[1], node[2], ctx);
    default:
      throw new Error(`unknown expression node ${node[0]}`);
  }
}

function chain(node, ctx) {
  let value = ev(node[1], ctx);
  for (let i = 2; i < node.length; i += 2) {
    const op = node[i];
    if (op === "and") {
      if (!truthy(value)) return false;
      value = truthy(ev(node[i + 1], ctx));
    } else if (op === "or") {
      if (truthy(value)) return true;
      value = truthy(ev(node[i + 1], ctx));
    } else if (["=", "!=", "<", "<=", ">", ">="].includes(op)) {
      value = compare(op, value, ev(node[i + 1], ctx));
    } else {
      value = arithmetic(op, value, ev(node[i + 1], ctx));
    }
  }
  return value;
}

function call(name, args, ctx) {
  if (name === "if") return truthy(ev(args[0], ctx)) ? ev(args[1], ctx) : ev(args[2], ctx);
  if (name === "today") return ctx.today;
  if (name === "regex") {
    const subject = ev(args[0], ctx);
    const pattern = args[1];
    let re;
    if (pattern[0] === "re") {
      re = compiled(pattern[1], pattern[2]);
    } else { // a run-time pattern: used as a JS regex (approximate; see the module doc)
      const source = toStr(ev(pattern, ctx));
      re = codePoints(source) > MAX_REGEX_LENGTH ? null : compiled(source, "u");
    }
    return regexMatches(subject, re);
  }
  let values = args.map((arg) => ev(arg, ctx));
  if (values.length === 0 && CONTEXT_FUNCTIONS.has(name)) values = [ev(["cur"], ctx)];
  const fn = FUNCTIONS[name];
  if (!fn) throw new Error(`unknown function ${name}()`);
  return fn(values);
}

/**
 * The value of an expression AST; never throws (a failure gives '', like the engine).
 * @param {Array} ast @param {Context} ctx @returns {*}
 */
export function evaluate(ast, ctx) {
  try {
    return ev(ast, ctx);
  } catch (error) {
    console.error("survey expression failed", error);
    return "";
  }
}

/** truthy(evaluate(ast, ctx)). @param {Array} ast @param {Context} ctx @returns {boolean} */
export function isTrue(ast, ctx) {
  return truthy(evaluate(ast, ctx));
}
