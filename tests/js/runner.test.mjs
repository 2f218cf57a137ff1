// Quick JS-only checks of xpath.js and runner.js: `node --test tests/js/runner.test.mjs`.
// The exhaustive Python-vs-JS comparison is tests/survey/test_survey_client_parity.py.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  XDate, arithmetic, asciiDigits, compare, evaluate, floatRepr, pySplit, pyStrip, toNum, toStr,
  truthy, xpathInt,
} from "../../fieldscan/static/js/xpath.js";
import { createRunner } from "../../fieldscan/static/js/runner.js";

const ref = (id) => ["ref", id];
const num = (n) => ["num", n];
const str = (s) => ["str", s];

/** A small plan as client_plan() writes it (messages abbreviated). */
const PLAN = {
  format: 1, survey: "t", language: "en", channel: "tablet", dir: "ltr", title: "T",
  description: null, intro: null, completion: "Bye",
  order: ["hello", "consent", "kids", "count", "age", "sms_q", "pets", "end"],
  off_channel: { sms_q: null },
  approximate: [],
  items: [
    { id: "hello", type: "note", label: "Hi", relevant: null, constraint: null, messages: {} },
    {
      id: "consent", type: "yes_no", required: true, relevant: null, constraint: null,
      choices: [{ value: "yes", label: "Yes" }, { value: "no", label: "No" }],
      messages: { required: "REQUIRED", invalid: "YESNO" },
    },
    {
      id: "count", type: "integer", required: true, min: 0, max: 5, constraint: null,
      relevant: ["op", ref("consent"), "=", str("yes")],
      messages: { required: "REQUIRED", invalid: "0-5" },
    },
    {
      id: "age", type: "integer", required: false, min: null, max: null,
      relevant: ["op", ["op", ref("consent"), "=", str("yes")], "and", ["op", ref("count"), ">", num(0)]],
      constraint: ["op", ["cur"], "<=", num(17)],
      messages: { invalid: "WHOLE", constraint: "UNDER 18" },
    },
    {
      id: "pets", type: "select_multiple", required: false, relevant: null,
      choices: [{ value: "cat", label: "Cat" }, { value: "dog", label: "Dog" }],
      constraint: ["op", ["fn", "count-selected", [["cur"]]], "<", num(3)],
      messages: { invalid: "PICK", not_a_choice: '"{answer}" NO', constraint: "C" },
    },
    { id: "end", type: "note", label: "End", relevant: null, constraint: null, messages: {} },
  ],
};

const run = (ast, answers = {}, current = null) =>
  evaluate(ast, { answers, current, today: XDate.fromIso("2024-06-15") });

test("numbers print like Python", () => {
  assert.equal(floatRepr(1e16), "1e+16");
  assert.equal(floatRepr(1e15), "1000000000000000.0");
  assert.equal(floatRepr(0.0001), "0.0001");
  assert.equal(floatRepr(1e-5), "1e-05");
  assert.equal(floatRepr(-2.5e-7), "-2.5e-07");
  assert.equal(toStr(1 / 3), "0.3333333333333333");
  assert.equal(toStr(3), "3");
  assert.equal(toStr(-0), "0");
  assert.equal(toStr(10n ** 15n), "1000000000000000");
  assert.equal(toStr(1e15), "1000000000000000.0");
  assert.equal(toStr(NaN), "NaN");
  assert.equal(toStr(-Infinity), "-Infinity");
  assert.equal(toStr(["a", 1n, null, true]), "a 1  true");
});

test("text becomes numbers like Python's float()", () => {
  assert.equal(toNum(" 3 "), 3);
  assert.equal(toNum("٣.٥"), 3.5);
  assert.equal(toNum("-.5"), -0.5);
  assert.equal(toNum("5."), 5);
  assert.ok(Number.isNaN(toNum("1e3")));
  assert.ok(Number.isNaN(toNum("\x1c3")));
  assert.equal(toNum("1970-01-02"), 1);
  assert.ok(Number.isNaN(toNum("2023-02-29")));
  assert.equal(toNum(["4"]), 4);
  assert.equal(asciiDigits("𝟙𝟚٣"), "123");
  assert.equal(pyStrip("\u3000 a\x1c"), "a");
  assert.deepEqual(pySplit(" a\x85b  c "), ["a", "b", "c"]);
});

test("dates count days from 1970", () => {
  assert.equal(XDate.fromIso("0001-01-01").iso, "0001-01-01");
  assert.equal(new XDate(19889).iso, "2024-06-15");
  assert.equal(XDate.fromIso("2024-02-29").days, 19782);
  assert.equal(XDate.fromIso("1900-02-29"), null);
});

test("comparisons, booleans and arithmetic follow XPath", () => {
  assert.equal(compare("=", "3", 3n), true);
  assert.equal(compare("=", "abc", "abc"), true);
  assert.equal(compare("=", "", false), true);
  assert.equal(compare("<", "a", 3), false);
  assert.equal(compare("!=", NaN, NaN), true);
  assert.equal(compare("=", XDate.fromIso("2024-01-01"), "2024-01-01"), true);
  assert.equal(truthy([]), false);
  assert.equal(truthy(NaN), false);
  assert.equal(truthy("0"), true);
  assert.equal(arithmetic("div", 1, -0), -Infinity);
  assert.ok(Number.isNaN(arithmetic("mod", 5, 0)));
  assert.equal(arithmetic("mod", -7, 3), -1);
  assert.equal(1 / xpathInt(-0.5), Infinity);
});

test("functions", () => {
  const answers = { m: ["a", "b"], s: " a  c ", n: 12, t: "hello" };
  assert.equal(run(["fn", "selected", [ref("m"), str(" b ")]], answers), true);
  assert.equal(run(["fn", "count-selected", [ref("s")]], answers), 2);
  assert.equal(run(["fn", "string-length", []], answers, "héllo"), 5);
  assert.equal(run(["fn", "string-length", [str("𝟙")]]), 1);
  assert.equal(run(["fn", "concat", [ref("n"), str("-"), ref("m")]], answers), "12-a b");
  assert.equal(run(["fn", "coalesce", [ref("x"), ref("t")]], answers), "hello");
  assert.equal(run(["fn", "if", [ref("x"), str("y"), str("n")]], answers), "n");
  assert.equal(run(["fn", "today", []]).iso, "2024-06-15");
  assert.equal(run(["fn", "regex", [ref("t"), ["re", "^h(?=\\n?$)|ll", "u"]]], answers), true);
  assert.equal(run(["fn", "regex", [ref("t"), str("(")]], answers), false);
  assert.equal(run(["op", ref("n"), "div", num(5), "*", num(10)], answers), 24);
  assert.equal(run(["op", ref("x"), "or", num(0), "or", str("z")]), true);
  assert.ok(Number.isNaN(run(["neg", str("abc")])));
  assert.equal(run(["num", "Infinity"]), Infinity);
});

test("next steps, progress and notes follow the engine", () => {
  const runner = createRunner(PLAN, { today: "2024-06-15" });
  let step = runner.nextStep({});
  assert.equal(step.item.id, "consent");
  assert.deepEqual(step.notes.map((n) => n.id), ["hello"]);
  assert.deepEqual(step.progress, { number: 1, total: 2 });
  step = runner.nextStep({ consent: "yes" });
  assert.equal(step.item.id, "count");
  assert.deepEqual(step.progress, { number: 2, total: 3 });
  step = runner.nextStep({ consent: "yes", count: null }); // required: asked again
  assert.equal(step.item.id, "count");
  step = runner.nextStep({ consent: "yes", count: 2, age: null, pets: [] });
  assert.equal(step.complete, true);
  assert.deepEqual(step.notes.map((n) => n.id), ["end"]);
  assert.deepEqual(step.progress, { number: 4, total: 4 });
  assert.equal(runner.isComplete({ consent: "no", pets: null }), true);
  assert.equal(runner.previous({ consent: "yes", count: 2 }, "age").id, "count");
  assert.equal(runner.previous({ consent: "yes", count: 2 }, null).id, "count");
  assert.equal(runner.previous({}, "consent"), null);
  assert.throws(() => runner.previous({}, "nope"));
});

test("answers that stop counting are dropped, in chains", () => {
  const runner = createRunner(PLAN, { today: "2024-06-15" });
  const answers = { consent: "no", count: 2, age: 4, sms_q: "x", hello: "n", other: 1 };
  assert.deepEqual(runner.applicable(answers), { consent: "no", sms_q: "x" });
});

test("validation mirrors the engine", () => {
  const runner = createRunner(PLAN, { today: "2024-06-15" });
  const ok = (value) => ({ ok: true, value, error: null, skipped: false });
  const no = (error) => ({ ok: false, value: null, error, skipped: false });
  assert.deepEqual(runner.validate("consent", " yes "), ok("yes"));
  assert.deepEqual(runner.validate("consent", true), ok("yes"));
  assert.deepEqual(runner.validate("consent", "si"), no("YESNO"));
  assert.deepEqual(runner.validate("consent", "  "), no("REQUIRED"));
  assert.deepEqual(runner.validate("count", "٣"), ok(3));
  assert.deepEqual(runner.validate("count", 6), no("0-5"));
  assert.deepEqual(runner.validate("count", 2.5), no("0-5"));
  assert.deepEqual(runner.validate("age", 18), no("UNDER 18"));
  assert.deepEqual(runner.validate("age", ""), { ok: true, value: null, error: null, skipped: true });
  assert.deepEqual(runner.validate("pets", ["dog", "cat", "dog"]), ok(["cat", "dog"]));
  assert.deepEqual(runner.validate("pets", [" cow "]), no('"cow" NO'));
  assert.deepEqual(runner.validate("pets", [true]).skipped, true);
  assert.deepEqual(runner.validate("pets", 2.5), no("PICK"));
  assert.throws(() => runner.validate("hello", "x"));
  assert.throws(() => createRunner({ ...PLAN, format: 2 }));
});
