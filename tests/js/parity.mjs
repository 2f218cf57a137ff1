// Parity harness for tests/survey/test_survey_client_parity.py.
//
// Reads requests from stdin, one JSON object per line (a single request without a final
// newline works too), and answers each with one JSON line:
//   {plan, mode?, cases: [...]}  ->  {results: [...]}  (or {error: "..."})
// mode "flow" (default): cases [{answers, today, current_id?}] -> next step, applicable
//   answers, previous from the end and from the next item, completeness;
// mode "expr": cases [{answers, today, current}] -> {itemId: {relevant, constraint}},
//   each the expression's value as [kind, ...] (see norm below), null when absent;
// mode "validate": cases [{item, raw, answers, today}] -> validate() results;
// mode "regex": cases [{source, flags, subject}] -> whether the translated pattern matches.
import { createInterface } from "node:readline";
import { XDate, evaluate, regexMatches, toStr } from "../../fieldscan/static/js/xpath.js";
import { createRunner } from "../../fieldscan/static/js/runner.js";

/** A value as the Python side writes it: kind and XPath string form. */
function norm(value) {
  if (value === null || value === undefined) return ["null"];
  if (typeof value === "boolean") return ["bool", value];
  if (typeof value === "number" || typeof value === "bigint") {
    return ["num", toStr(value), Object.is(value, -0)];
  }
  if (typeof value === "string") return ["str", value];
  if (value instanceof XDate) return ["date", value.iso];
  if (Array.isArray(value)) return ["list", value.map(norm)];
  return ["other", String(value)];
}

function flow(plan, c) {
  const runner = createRunner(plan, { today: c.today });
  const step = runner.nextStep(c.answers);
  const current = step.item ? step.item.id : null;
  return {
    item: current,
    notes: step.notes.map((note) => note.id),
    complete: step.complete,
    progress: [step.progress.number, step.progress.total],
    applicable: runner.applicable(c.answers),
    previous_end: runner.previous(c.answers, null)?.id ?? null,
    previous_current: current === null ? null : runner.previous(c.answers, current)?.id ?? null,
    is_complete: runner.isComplete(c.answers),
  };
}

function expr(plan, c) {
  const today = XDate.fromIso(c.today);
  const out = {};
  for (const item of plan.items) {
    const ctx = { answers: c.answers, today }; // relevance never sees a current value
    out[item.id] = {
      relevant: item.relevant === null ? null : norm(evaluate(item.relevant, ctx)),
      constraint: item.constraint === null ? null
        : norm(evaluate(item.constraint, { ...ctx, current: c.current })),
    };
  }
  return out;
}

function validate(plan, c) {
  const runner = createRunner(plan, { today: c.today });
  return runner.validate(c.item, c.raw, c.answers ?? {});
}

/** A translated regex() pattern on one subject; a pattern that does not compile fails. */
function regex(_plan, c) {
  return regexMatches(c.subject, new RegExp(c.source, c.flags));
}

const MODES = { flow, expr, validate, regex };

function handle(line) {
  try {
    const request = JSON.parse(line);
    const run = MODES[request.mode ?? "flow"];
    return { results: request.cases.map((c) => run(request.plan, c)) };
  } catch (error) {
    return { error: String(error && error.stack ? error.stack : error) };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim()) process.stdout.write(`${JSON.stringify(handle(line))}\n`);
}
