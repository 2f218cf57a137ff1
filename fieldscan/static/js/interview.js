// The interview screen: one question per screen, run from the survey plan the server's engine
// exported (see runner.js), saved in IndexedDB at every step so nothing is lost offline.
// All text comes from the page (translated on the server) or from the plan.

import { createRunner } from "./runner.js";
import * as store from "./store.js";
import { syncNow, keepSyncing } from "./sync.js";

const main = document.getElementById("interview");
const ui = JSON.parse(document.getElementById("fieldscan-ui").textContent);
const mode = main.dataset.mode; // "tablet" (CHW, offline-capable) or "patient" (link)
const submitUrl = main.dataset.submitUrl;
const stage = document.getElementById("stage");
const statusLine = document.getElementById("status");

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function announce(text) {
  statusLine.textContent = text;
}

async function loadPlan(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`plan ${response.status}`);
  return response.json();
}

async function start() {
  const params = new URLSearchParams(window.location.search);
  let record;
  let planUrl;
  if (mode === "patient") {
    planUrl = main.dataset.planUrl;
  } else if (params.get("resume")) {
    record = await store.get(params.get("resume"));
  }
  const surveyId = record ? record.survey_id : params.get("survey") || main.dataset.survey;
  const language = record ? record.language : params.get("lang") || main.dataset.language;
  planUrl = planUrl || `/interviews/plan/${encodeURIComponent(surveyId)}/${encodeURIComponent(language)}.json`;
  const plan = await loadPlan(planUrl);
  if (!record) {
    record = {
      uuid: store.newUuid(),
      survey_id: plan.survey,
      survey_version: plan.survey_version,
      language: plan.language,
      started_at: new Date().toISOString(),
      completed_at: null,
      answers: {},
      history: [],
      current: null,
      status: "draft",
      errors: null,
    };
    if (mode === "tablet") await store.put(record);
  }
  const interview = new Interview(plan, record);
  interview.show(record.current);
  if (mode === "tablet") keepSyncing(submitUrl);
  window.addEventListener("online", () => announce(ui.online));
  window.addEventListener("offline", () => announce(ui.offline));
}

class Interview {
  constructor(plan, record) {
    this.plan = plan;
    this.record = record;
    this.runner = createRunner(plan);
    stage.setAttribute("lang", plan.language.replace("_", "-"));
    stage.setAttribute("dir", plan.dir);
    document.getElementById("survey-title").textContent = plan.title || "";
  }

  async save() {
    if (mode === "tablet") await store.put(this.record);
  }

  show(itemId) {
    const answers = this.record.answers;
    const step = this.runner.nextStep(answers);
    let item = itemId ? this.plan.items.find((candidate) => candidate.id === itemId) : null;
    let notes = [];
    if (!item) {
      if (step.complete) return this.showComplete(step.notes);
      item = step.item;
      notes = step.notes;
    }
    this.record.current = item.id;
    this.item = item;
    this.render(item, notes, step.progress);
  }

  render(item, notes, progress) {
    stage.replaceChildren();
    const form = element("form", { novalidate: true, class: "question" });
    const heading = element("h2", { id: "question-label", tabindex: "-1", text: item.label });
    const number = progress && progress.total ? format(ui.question_of, progress) : "";
    form.append(element("p", { class: "progress", text: number }));
    for (const note of notes) form.append(element("p", { class: "note", text: note.label }));
    const fieldset = element("fieldset", { "aria-describedby": "question-hint question-error" });
    fieldset.append(element("legend", {}, heading));
    fieldset.append(element("p", { id: "question-hint", class: "hint", text: item.hint || "" }));
    fieldset.append(this.input(item));
    fieldset.append(element("p", { id: "question-error", class: "error", role: "alert" }));
    form.append(fieldset);
    const buttons = element("div", { class: "buttons" });
    if (this.record.history.length) {
      const back = element("button", { type: "button", class: "secondary", text: ui.back });
      back.addEventListener("click", () => this.back());
      buttons.append(back);
    }
    buttons.append(element("button", { type: "submit", class: "primary", text: ui.next }));
    form.append(buttons);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.next(form);
    });
    stage.append(form);
    heading.focus();
  }

  input(item) {
    const current = this.record.answers[item.id];
    const group = element("div", { class: "answer" });
    if (item.type === "select_one" || item.type === "yes_no" || item.type === "select_multiple") {
      const multiple = item.type === "select_multiple";
      for (const [index, choice] of item.choices.entries()) {
        const id = `choice-${index}`;
        const checked = multiple ? (current || []).includes(choice.value) : current === choice.value;
        const input = element("input", {
          type: multiple ? "checkbox" : "radio", name: "answer", id, value: choice.value, checked,
        });
        group.append(element("label", { class: "choice", for: id }, input, element("span", { text: choice.label })));
      }
      return group;
    }
    let input;
    if (item.type === "text") {
      input = element("textarea", { name: "answer", id: "answer", rows: "4", maxlength: item.max_length });
      input.value = current || "";
    } else {
      const types = { integer: "number", date: "date", phone: "tel" };
      input = element("input", {
        name: "answer", id: "answer", type: types[item.type] || "text",
        inputmode: item.type === "integer" ? "numeric" : null, min: item.min, max: item.max,
        autocomplete: "off",
      });
      input.value = current === undefined || current === null ? "" : String(current);
    }
    input.setAttribute("aria-labelledby", "question-label");
    group.append(input);
    return group;
  }

  raw(form) {
    const item = this.item;
    if (item.type === "select_multiple") {
      return [...form.querySelectorAll('input[name="answer"]:checked')].map((input) => input.value);
    }
    if (item.type === "select_one" || item.type === "yes_no") {
      const checked = form.querySelector('input[name="answer"]:checked');
      return checked ? checked.value : "";
    }
    return form.elements.answer.value;
  }

  async next(form) {
    const result = this.runner.validate(this.item.id, this.raw(form), this.record.answers);
    const error = form.querySelector("#question-error");
    const field = form.querySelector('[name="answer"]');
    if (!result.ok) {
      error.textContent = result.error;
      field.setAttribute("aria-invalid", "true");
      field.focus();
      return;
    }
    this.record.answers[this.item.id] = result.skipped ? null : result.value;
    this.record.answers = this.runner.applicable(this.record.answers);
    this.record.history.push(this.item.id);
    this.record.current = null;
    await this.save();
    this.show(null);
  }

  async back() {
    const previous = this.record.history.pop();
    await this.save();
    this.show(previous);
  }

  showComplete(notes) {
    stage.replaceChildren();
    const heading = element("h2", { tabindex: "-1", text: this.plan.completion || ui.complete });
    for (const note of notes) stage.append(element("p", { class: "note", text: note.label }));
    stage.append(heading);
    const buttons = element("div", { class: "buttons" });
    if (this.record.history.length) {
      const back = element("button", { type: "button", class: "secondary", text: ui.back });
      back.addEventListener("click", () => this.back());
      buttons.append(back);
    }
    const finish = element("button", { type: "button", class: "primary", text: ui.finish });
    finish.addEventListener("click", () => this.finish(finish));
    buttons.append(finish);
    stage.append(buttons);
    heading.focus();
  }

  async finish(button) {
    button.disabled = true;
    this.record.completed_at = new Date().toISOString();
    if (mode === "patient") return this.submitPatient(button);
    this.record.status = "queued";
    this.record.current = null;
    await store.put(this.record);
    const outcome = await syncNow(submitUrl);
    const saved = await store.get(this.record.uuid);
    this.done(saved.status === "synced" ? ui.synced : saved.status === "rejected" ? ui.invalid : ui.saved_offline);
    if (outcome.failed) announce(ui.offline);
  }

  async submitPatient(button) {
    const { history, current, status, errors, ...item } = this.record;
    try {
      const response = await fetch(submitUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(item),
      });
      const result = await response.json();
      if (result.status === "created" || result.status === "duplicate") return this.done(ui.submitted);
      this.done(ui.invalid + " " + JSON.stringify(result.errors || {}));
    } catch (error) {
      button.disabled = false;
      announce(ui.offline);
    }
  }

  done(message) {
    stage.replaceChildren();
    const heading = element("h2", { tabindex: "-1", class: "done", text: message });
    stage.append(heading);
    if (mode === "tablet") {
      stage.append(element("p", {}, element("a", { href: "/interviews", class: "button", text: ui.home })));
    }
    heading.focus();
  }
}

start().catch((error) => {
  announce(ui.offline);
  console.error(error);
});
