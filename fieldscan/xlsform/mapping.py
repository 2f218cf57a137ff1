"""pyxform's JSON of a valid XLSForm -> a fieldscan survey definition.

The result is the raw definition in the format of docs/survey-format.md (what a
``surveys/<id>.yaml`` file holds), with every text as a ``{language: text}`` mapping; the
importer then validates it with the survey loader like any definition file. Each
degradation is reported: ``unsupported`` lists features fieldscan does not have (and what
was done instead), ``warnings`` everything else worth knowing. The decisions are tabled in
docs/xlsform-import.md.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldscan.survey.loader import MAX_SMS_QUESTIONS
from fieldscan.survey.schema import NON_ANSWER_TYPES
from fieldscan.xlsform import texts
from fieldscan.xlsform.languages import LanguagePlan, collect_language_names, plan_languages
from fieldscan.xlsform.reading import PyxformForm
from fieldscan.xlsform.references import Entry, ExpressionProblemError, Rewriter

#: What a decimal question accepts (it becomes a text question with this constraint).
DECIMAL_CONSTRAINT = "regex(., '^-?[0-9]+([.][0-9]+)?$')"
DECIMAL_MAX_LENGTH = 32
#: Longest survey title kept (the surveys table holds 300 characters).
MAX_TITLE = 200

_TRUE = frozenset({"yes", "true", "true()", "1"})
_FALSE = frozenset({"no", "false", "false()", "0", ""})
_SELECTS = {"select one": "select_one", "select all that apply": "select_multiple"}
_FILE_LISTS = (".csv", ".xml", ".geojson")
_OR_OTHER = re.compile(r"^\s*selected\(\s*\.\./([^,\s]+)\s*,\s*'other'\s*\)\s*$")
_PIPED = re.compile(r"\$\{\s*[^}]*\}")
_ELLIPSIS = "…"
#: pyxform bind types fieldscan cannot ask, with what they are.
_SKIPPED = {
    "binary": "a photo, audio, video or file upload",
    "geopoint": "a GPS location",
    "geotrace": "a GPS line",
    "geoshape": "a GPS area",
    "barcode": "a barcode scan",
    "odk:rank": "a ranking",
}


def normalize_id(name: str, prefix: str = "q") -> str:
    """A fieldscan id for an XLSForm name: ``'HPlevel'`` -> ``'hplevel'``, ``'a-b'`` -> ``'a_b'``.

    Accents are dropped, anything but letters, digits and ``_`` becomes ``_``, runs of
    ``_`` collapse, and a name that does not start with a letter gets ``prefix_``.
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9_]+", "_", text.lower())
    text = re.sub(r"_+", "_", text).strip("_")
    if not text:
        text = prefix
    if not text[0].isalpha():
        text = f"{prefix}_{text}"
    return text[:64]


def choice_value(name: str) -> str:
    """A fieldscan choice value for an XLSForm choice name (``'n1-c'`` -> ``'n1_c'``)."""
    raw = str(name).strip()
    if re.fullmatch(r"-\d+(\.\d+)?", raw):
        raw = "minus_" + raw[1:]
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9_]+", "_", text.lower())
    text = re.sub(r"_+", "_", text).strip("_")
    return (text or "choice")[:64]


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in _TRUE if value is not None else False


def _has_text(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(str(v).strip() for v in value.values() if v is not None)
    return value is not None and bool(str(value).strip())


@dataclass
class Item:
    """One element of the form on its way to a fieldscan question."""

    src: dict[str, Any]
    name: str
    kind: str = "gone"  # question | note | group | calc | gone
    qtype: str | None = None
    what: str = ""
    new_id: str | None = None
    row: int | None = None
    children: list[Item] = field(default_factory=list)
    choices: list[tuple[str, Any, str]] = field(default_factory=list)
    choice_map: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def walk(self) -> Iterator[Item]:
        """This item and everything inside it, in form order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class MappedForm:
    """The raw definition (without ``id`` and ``keywords``) and the report."""

    definition: dict[str, Any]
    languages: list[str]
    warnings: list[str]
    unsupported: list[str]
    errors: list[str]


class FormMapper:
    """Maps one pyxform JSON form; call :meth:`build` once."""

    def __init__(self, form: PyxformForm) -> None:
        self.form = form
        self.json = form.json
        self.warnings: list[str] = []
        self.unsupported: list[str] = []
        self.rows = _rows_by_name(form.survey_rows)
        self.plan: LanguagePlan = plan_languages(
            collect_language_names(self.json), self.json.get("default_language")
        )
        self._lists_reported: set[str] = set()
        self._or_other_parents: set[str] = set()
        self._piped: set[tuple[str, str]] = set()
        self._used: set[str] = set()
        self._renamed: list[str] = []

    # --- report -------------------------------------------------------------------------

    def _at(self, item: Item) -> str:
        kind = item.src.get("type", "")
        where = f"survey row {item.row}, " if item.row else ""
        return f"{where}{kind} {item.name!r}"

    def _unsupported(self, item: Item, text: str) -> None:
        line = f"{self._at(item)}: {text}"
        if line not in self.unsupported:
            self.unsupported.append(line)

    def _warn(self, item: Item, text: str) -> None:
        line = f"{self._at(item)}: {text}"
        if line not in self.warnings:
            self.warnings.append(line)

    # --- the whole form -----------------------------------------------------------------

    def build(self) -> MappedForm:
        """Map the form; ``errors`` is non-empty when nothing usable is left."""
        children = self._expand_loops(self.json.get("children") or [])
        items = [self._classify(child) for child in children]
        for item in items:
            self._prune(item)
        self._assign_ids(items)
        entries = self._entries(items)
        rewriter = Rewriter(entries)
        questions = [q for q in (self._emit(item, rewriter) for item in items) if q is not None]
        self._settings_notes()
        errors: list[str] = []
        answered = sum(1 for q in _walk(questions) if q["type"] not in NON_ANSWER_TYPES)
        if not questions:
            errors.append("nothing in this form can be asked by fieldscan (see the list above)")
        elif answered > MAX_SMS_QUESTIONS:
            for question in questions:
                question["channels"] = ["web", "tablet"]
            self.warnings.append(
                f"{answered} questions are more than the {MAX_SMS_QUESTIONS} an SMS survey may "
                "ask: the survey is imported for web and tablet only"
            )
        if self._renamed:
            shown = ", ".join(self._renamed[:12])
            more = f" and {len(self._renamed) - 12} more" if len(self._renamed) > 12 else ""
            self.warnings.append(
                "names changed to fieldscan ids (lower-case letters, digits and _; references "
                f"rewritten): {shown}{more}"
            )
        self.warnings.extend(rewriter.notes)
        self.warnings = self.plan.warnings + self.warnings + self.plan.missing_warnings()
        self.unsupported.sort(key=_row_of)
        title = str(self.json.get("title") or self.json.get("id_string") or "Survey").strip()
        definition = {
            "title": self.plan.resolve(title[:MAX_TITLE]) or {},
            "languages": list(self.plan.languages),
            "questions": questions,
        }
        return MappedForm(
            definition, list(self.plan.languages), self.warnings, self.unsupported, errors
        )

    def _settings_notes(self) -> None:
        settings = {str(k).strip().lower(): v for k, v in self.form.settings.items()}
        if settings.get("public_key"):
            self.unsupported.append(
                "settings public_key: form encryption is not supported; answers are stored "
                "in fieldscan's database like any other"
            )
        if any(str(k).startswith("sms_") and k != "sms_keyword" for k in settings) or any(
            "sms_field" in item or "sms_option" in item for item in _json_walk(self.json)
        ):
            self.warnings.append(
                "sms_field, sms_option and the other sms_* settings are not used: fieldscan "
                "sends one question per message with numbered choices"
            )

    # --- loops (pyxform's old "begin loop over list") -----------------------------------

    def _expand_loops(self, children: list[Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for child in children:
            if not isinstance(child, dict):
                continue
            if child.get("type") == "loop":
                out.append(self._expand_loop(child))
            elif child.get("children"):
                out.append({**child, "children": self._expand_loops(child["children"])})
            else:
                out.append(child)
        return out

    def _expand_loop(self, loop: dict[str, Any]) -> dict[str, Any]:
        name = str(loop.get("name", "loop"))
        columns = [c for c in loop.get("columns") or [] if c.get("name") != "none"]
        groups = []
        for column in columns:
            column_name = str(column.get("name"))
            renames = {
                str(c.get("name")): f"{c.get('name')}_{column_name}"
                for c in loop.get("children") or []
            }
            kids = [_fill_loop(c, column, renames) for c in loop.get("children") or []]
            groups.append(
                {
                    "type": "group",
                    "name": f"{name}_{column_name}",
                    "label": copy.deepcopy(column.get("label")),
                    "children": self._expand_loops(kids),
                }
            )
        self.warnings.append(
            f"loop {name!r}: expanded into one group per item of its list ({len(groups)})"
        )
        return {
            "type": "group",
            "name": name,
            "label": loop.get("label"),
            "bind": loop.get("bind"),
            "children": groups,
        }

    # --- pass 1: what each element becomes ---------------------------------------------

    def _classify(self, el: dict[str, Any], in_meta: bool = False) -> Item:
        t = str(el.get("type", "")).strip()
        name = str(el.get("name", "")).strip()
        item = Item(src=el, name=name, row=self.rows.get(name))
        control = el.get("control") or {}
        bind = el.get("bind") or {}
        if in_meta or (t == "group" and control.get("bodyless")):
            item.what = "form metadata"
            item.children = [self._classify(c, in_meta=True) for c in el.get("children") or []]
            line = "entities sheet: ODK entities are not supported; the declaration is ignored"
            if t == "entity" and line not in self.unsupported:
                self.unsupported.append(line)
            return item
        self._notes(item, el, bind)
        if t in ("group", "repeat"):
            item.kind = "group"
            if t == "repeat":
                self._unsupported(item, "repeats are not supported: its questions are asked once")
            item.children = [self._classify(c) for c in el.get("children") or []]
            return item
        if t in _SELECTS:
            self._select(item, el, t, control)
        elif t == "select one external":
            item.kind, item.qtype = "question", "text"
            self._unsupported(item, "external choices are not supported: it is asked as free text")
        elif t == "calculate":
            self._calculate(item, bind)
        elif t == "note":
            item.kind = "note"
        else:
            self._by_type_dictionary(item, t, el)
        if item.kind == "question" and _truthy(bind.get("readonly")):
            item.kind, item.qtype = "note", None
            self._warn(item, "read-only: shown as a note")
        if item.kind == "note" and not _has_text(el.get("label")):
            item.kind, item.what = "gone", "a note without text"
            if el.get("media"):
                self._unsupported(item, "a note with only media (image, audio, video); left out")
            else:
                self._warn(item, "a note without a label; left out")
        if item.kind == "question" and item.qtype == "text":
            self._or_other(item, bind)
        return item

    def _notes(self, item: Item, el: dict[str, Any], bind: Mapping[str, Any]) -> None:
        if el.get("media") and _has_text(el.get("label")):
            kinds = ", ".join(sorted(el["media"]))
            self._unsupported(item, f"media ({kinds}) are not supported; not shown")
        if el.get("default") not in (None, ""):
            self._warn(item, f"default value {el['default']!r} ignored")
        if el.get("guidance_hint"):
            self._warn(item, "guidance_hint not imported")
        if bind.get("jr:requiredMsg"):
            self._warn(item, "required_message not imported; fieldscan's own message is used")
        if el.get("trigger"):
            self._unsupported(item, "trigger (set a value when another question changes) ignored")
        if any(str(k).startswith("entities:") for k in bind):
            self._unsupported(item, "save_to (ODK entities) ignored")

    def _select(self, item: Item, el: dict[str, Any], t: str, control: Mapping[str, Any]) -> None:
        itemset = str(el.get("itemset") or "")
        if itemset.lower().endswith(_FILE_LISTS) or not el.get("choices"):
            item.kind, item.qtype = "question", "text"
            self._unsupported(
                item,
                f"choices from the file {itemset!r} are not in the form: it is asked as free text",
            )
            return
        appearance = str(control.get("appearance") or "").split()
        if "label" in appearance:
            item.what = "a table-list header"
            self._warn(item, "a table-list header row (appearance 'label'); left out")
            return
        item.kind, item.qtype = "question", _SELECTS[t]
        choice_filter = el.get("choice_filter")
        if choice_filter:
            self._unsupported(
                item, f"choice_filter ({choice_filter}) is not supported: every choice is offered"
            )
        self._choices(item, el)
        values = sorted(value for value, _, _ in item.choices)
        if item.qtype == "select_one" and values == ["no", "yes"]:
            item.qtype = "yes_no"

    def _choices(self, item: Item, el: dict[str, Any]) -> None:
        list_name = str(el.get("list_name") or el.get("itemset") or item.name)
        seen: set[str] = set()
        duplicates: list[str] = []
        media = False
        for choice in el.get("choices") or []:
            original = str(choice.get("name", "")).strip()
            if original in item.choice_map:
                duplicates.append(original)
                continue
            value = base = choice_value(original)
            number = 2
            while value in seen:
                suffix = f"_{number}"
                value = base[: 64 - len(suffix)] + suffix
                number += 1
            seen.add(value)
            item.choice_map[original] = value
            item.choices.append((value, choice.get("label"), original))
            media = media or bool(choice.get("media"))
        if list_name in self._lists_reported:
            return
        self._lists_reported.add(list_name)
        if duplicates:
            shown = ", ".join(repr(d) for d in dict.fromkeys(duplicates))
            self.warnings.append(
                f"choices sheet, list {list_name!r}: repeated choice names {shown} kept once "
                "(choice_filter is not supported, so one copy is enough)"
            )
        if media:
            self.unsupported.append(
                f"choices sheet, list {list_name!r}: choice media (images, audio) are not shown"
            )

    def _calculate(self, item: Item, bind: Mapping[str, Any]) -> None:
        calculation = str(bind.get("calculate") or "").strip()
        if calculation and "jr:preload" not in bind:
            item.kind, item.what = "calc", "a calculation"
            item.extra["calculation"] = calculation
            return
        item.what = "a calculate field"
        self._unsupported(item, "a calculate field without a calculation; left out")

    def _by_type_dictionary(self, item: Item, t: str, el: dict[str, Any]) -> None:
        from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

        spec = QUESTION_TYPE_DICT.get(t)
        if spec is None or t == "hidden":
            item.what = f"a {t or 'typeless'} field"
            self._unsupported(item, f"the type {t!r} is not supported; left out")
            return
        bind = spec.get("bind") or {}
        btype = bind.get("type")
        tag = (spec.get("control") or {}).get("tag")
        if "jr:preload" in bind:
            item.what = "metadata"
            self._unsupported(
                item,
                "metadata is not collected (fieldscan records when each response was started "
                "and completed)",
            )
        elif btype in _SKIPPED:
            item.what = _SKIPPED[btype]
            self._unsupported(item, f"{_SKIPPED[btype]} cannot be asked in fieldscan; left out")
        elif tag == "trigger":
            item.kind = "note"
            self._unsupported(item, "acknowledge is shown as a note (no answer is stored)")
        elif tag == "range":
            self._range(item, el)
        elif btype == "int":
            item.kind, item.qtype = "question", "integer"
            if bind.get("constraint"):
                item.extra["type_constraint"] = bind["constraint"]
        elif btype == "decimal":
            item.kind, item.qtype = "question", "text"
            item.extra["decimal"] = True
        elif btype == "date":
            item.kind, item.qtype = "question", "date"
        elif btype in ("time", "dateTime"):
            item.kind, item.qtype = "question", "text"
            self._unsupported(item, f"{t} answers are asked as free text")
        elif btype == "string" and tag == "input":
            item.kind, item.qtype = "question", "phone" if t == "phone number" else "text"
        else:
            item.what = f"a {t} field"
            self._unsupported(item, f"the type {t!r} is not supported; left out")

    def _range(self, item: Item, el: dict[str, Any]) -> None:
        params = {str(k).lower(): v for k, v in (el.get("parameters") or {}).items()}
        try:
            start, end, step = (int(str(params.get(k, d))) for k, d in
                                (("start", 1), ("end", 10), ("step", 1)))  # fmt: skip
        except ValueError:
            item.kind, item.qtype = "question", "text"
            item.extra["decimal"] = True
            self._unsupported(item, "range: asked as a number (the slider is not supported)")
            return
        item.kind, item.qtype = "question", "integer"
        item.extra["min"], item.extra["max"] = min(start, end), max(start, end)
        detail = f" in steps of {step}" if abs(step) != 1 else ""
        self._unsupported(
            item,
            f"range: asked as a whole number from {min(start, end)} to {max(start, end)}"
            f"{detail} (the slider is not supported)",
        )

    def _or_other(self, item: Item, bind: Mapping[str, Any]) -> None:
        match = _OR_OTHER.match(str(bind.get("relevant") or ""))
        if match and f"{match.group(1)}_other" == item.name:
            parent = match.group(1)
            item.extra["or_other_of"] = parent
            self._or_other_parents.add(parent)
            self.warnings.append(
                f"{parent!r} uses or_other: an 'Other' choice and the follow-up text question "
                f"{item.name!r} (asked when 'Other' is chosen) were added"
            )

    def _prune(self, item: Item) -> bool:
        """Whether ``item`` is kept; groups with nothing kept inside are left out."""
        if item.kind != "group":
            return item.kind in ("question", "note")
        kept = [child for child in item.children if self._prune(child)]
        if not kept:
            item.kind, item.what = "gone", "an empty group"
            self._warn(item, "nothing inside can be asked by fieldscan; left out")
            return False
        return True

    # --- ids and the reference table ----------------------------------------------------

    def _assign_ids(self, items: list[Item]) -> None:
        for top in items:
            for item in top.walk():
                if item.kind not in ("question", "note", "group"):
                    continue
                base = new = normalize_id(item.name)
                number = 2
                while new in self._used:
                    suffix = f"_{number}"
                    new = base[: 64 - len(suffix)] + suffix
                    number += 1
                self._used.add(new)
                item.new_id = new
                if new != item.name:
                    self._renamed.append(f"{item.name!r} -> {new!r}")

    def _entries(self, items: list[Item]) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        for top in items:
            for item in top.walk():
                if not item.name or item.name in entries:
                    continue
                if item.kind == "question":
                    entry = Entry("answer", item.new_id, choice_map=dict(item.choice_map))
                elif item.kind in ("note", "group"):
                    entry = Entry("display", item.new_id, what=f"a {item.kind}")
                elif item.kind == "calc":
                    entry = Entry("calc", what=item.what, calculation=item.extra["calculation"])
                else:
                    entry = Entry("gone", what=item.what or "not imported")
                entries[item.name] = entry
        return entries

    # --- pass 2: the definition ---------------------------------------------------------

    def _text(self, item: Item, field_name: str, value: Any) -> dict[str, str] | None:
        resolved = self.plan.resolve(value)
        if resolved is None:
            return None
        if any(_PIPED.search(text) for text in resolved.values()):
            resolved = {lang: _PIPED.sub(_ELLIPSIS, text) for lang, text in resolved.items()}
            if (item.name, field_name) not in self._piped:
                self._piped.add((item.name, field_name))
                self._warn(
                    item,
                    f"the {field_name} shows earlier answers (${{...}}), which fieldscan does "
                    f"not fill in: '{_ELLIPSIS}' is shown in their place",
                )
        return resolved

    def _emit(self, item: Item, rewriter: Rewriter) -> dict[str, Any] | None:
        if item.kind not in ("question", "note", "group"):
            return None
        el = item.src
        bind = el.get("bind") or {}
        qtype = "group" if item.kind == "group" else "note" if item.kind == "note" else item.qtype
        out: dict[str, Any] = {"id": item.new_id, "type": qtype}
        if item.extra.get("or_other_of") and _is_pyxform_text(
            el.get("label"), texts.PYXFORM_SPECIFY_OTHER
        ):
            label = {lang: texts.SPECIFY_OTHER[lang] for lang in self.plan.languages}
        else:
            label = self._text(item, "label", el.get("label"))
        if label is None and item.kind != "group":
            label = dict.fromkeys(self.plan.languages, item.name)
            self._warn(item, "no label: its name is shown instead")
        if label is not None:
            out["label"] = label
        hint = self._text(item, "hint", el.get("hint"))
        if hint is not None:
            out["hint"] = hint
        relevant_dropped = self._relevant(item, bind, rewriter, out)
        if item.kind == "group":
            children = [self._emit(child, rewriter) for child in item.children]
            out["questions"] = [c for c in children if c is not None]
            return out
        if item.kind == "note":
            return out
        out["required"] = self._required(item, bind, relevant_dropped)
        self._constraint(item, bind, rewriter, out)
        if qtype in ("select_one", "select_multiple"):
            out["choices"] = self._choice_list(item)
        if "min" in item.extra:
            out["min"], out["max"] = item.extra["min"], item.extra["max"]
        if item.extra.get("decimal"):
            out["max_length"] = DECIMAL_MAX_LENGTH
        return out

    def _relevant(
        self, item: Item, bind: Mapping[str, Any], rewriter: Rewriter, out: dict[str, Any]
    ) -> bool:
        relevant = bind.get("relevant")
        if relevant is None or not str(relevant).strip():
            return False
        try:
            expression = rewriter.rewrite(str(relevant), owner=item.name, field_name="relevant")
            if expression.uses_current:
                raise ExpressionProblemError("'.' only has a meaning in a constraint")
            inside = {i.new_id for i in item.walk() if i is not item and i.new_id}
            if expression.references() & inside:
                raise ExpressionProblemError("it reads questions inside the group itself")
        except ExpressionProblemError as exc:
            self._unsupported(
                item, f"relevant {str(relevant).strip()!r} dropped ({exc}): it is always asked"
            )
            return True
        out["relevant"] = expression.source
        return False

    def _required(self, item: Item, bind: Mapping[str, Any], relevant_dropped: bool) -> bool:
        value = bind.get("required")
        word = str(value).strip().lower() if value is not None else ""
        if word in _TRUE:
            if relevant_dropped:
                self._warn(item, "made optional, since its relevance could not be imported")
                return False
            return True
        if word not in _FALSE:
            self._unsupported(
                item,
                f"required only when {str(value).strip()!r}: fieldscan cannot make an answer "
                "required depending on other answers, so it is optional",
            )
        return False

    def _constraint(
        self, item: Item, bind: Mapping[str, Any], rewriter: Rewriter, out: dict[str, Any]
    ) -> None:
        own = bind.get("constraint") or item.extra.get("type_constraint")
        constraint = None
        if own is not None and str(own).strip():
            try:
                constraint = rewriter.rewrite(
                    str(own), owner=item.name, field_name="constraint"
                ).source
            except ExpressionProblemError as exc:
                self._unsupported(item, f"constraint {str(own).strip()!r} dropped ({exc})")
        message = None
        if constraint is not None:
            message = self._text(item, "constraint message", bind.get("jr:constraintMsg"))
        if item.extra.get("decimal"):
            constraint = (
                f"({constraint}) and {DECIMAL_CONSTRAINT}" if constraint else (DECIMAL_CONSTRAINT)
            )
        if constraint is not None:
            out["constraint"] = constraint
            if message is not None:
                out["constraint_message"] = message

    def _choice_list(self, item: Item) -> list[dict[str, Any]]:
        other_added = item.name in self._or_other_parents
        choices = []
        for value, label, original in item.choices:
            if (
                value == "other"
                and other_added
                and _is_pyxform_text(label, texts.PYXFORM_OTHER_CHOICE)
            ):
                text = {lang: texts.OTHER_CHOICE[lang] for lang in self.plan.languages}
            else:
                text = self._text(item, "choice label", label)
            if text is None:
                text = dict.fromkeys(self.plan.languages, original or value)
            choices.append({"value": value, "label": text})
        return choices


def _is_pyxform_text(value: Any, text: str) -> bool:
    """Whether ``value`` is pyxform's generated ``text`` (in every language it is given in)."""
    if isinstance(value, Mapping):
        return bool(value) and all(str(v).strip() == text for v in value.values())
    return value is not None and str(value).strip() == text


def _fill_loop(element: Any, column: Mapping[str, Any], renames: Mapping[str, str]) -> Any:
    """A loop's child for one column: ``%(name)s``/``%(label)s`` filled in, names made unique."""
    label = column.get("label")

    def fill(value: Any, lang: str | None) -> Any:
        if isinstance(value, str):
            if isinstance(label, Mapping):
                text = label.get(lang, next(iter(label.values()), ""))
            else:
                text = label
            value = value.replace("%(name)s", str(column.get("name", "")))
            value = value.replace("%(label)s", str(text or column.get("name", "")))
            for old, new in renames.items():
                value = re.sub(r"\$\{\s*" + re.escape(old) + r"\s*\}", "${" + new + "}", value)
            return value
        if isinstance(value, Mapping):
            return {k: fill(v, k if lang is None and isinstance(v, str) else lang)
                    for k, v in value.items()}  # fmt: skip
        if isinstance(value, list):
            return [fill(v, lang) for v in value]
        return value

    filled = {k: (fill(v, None) if k != "name" else v) for k, v in element.items()}
    name = str(element.get("name", ""))
    filled_name = fill(name, None)
    filled["name"] = renames.get(name, filled_name) if filled_name == name else filled_name
    return filled


def _row_of(line: str) -> int:
    """Sort key of a report line: its survey row, lines without one last."""
    match = re.match(r"survey row (\d+),", line)
    return int(match.group(1)) if match else 1_000_000_000


def _rows_by_name(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Survey-sheet row numbers by question name (as pyxform numbers rows: data from 2)."""
    out: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        for key, value in row.items():
            if str(key).strip().lower() == "name" and value not in (None, ""):
                out.setdefault(str(value).strip(), number)
    return out


def _walk(questions: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for question in questions:
        yield question
        yield from _walk(question.get("questions") or [])


def _json_walk(element: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for child in element.get("children") or []:
        if isinstance(child, Mapping):
            yield child
            yield from _json_walk(child)
