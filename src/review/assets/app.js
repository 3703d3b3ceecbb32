// factmine review: the page. Article text and values only ever reach the
// page as DOM text nodes (textContent), never as markup.
"use strict";

const TYPES = ["organisation", "technology", "date", "metric"];
const FILTERS = ["ics", "type", "status", "rule"];
const $ = (sel) => document.querySelector(sel);

// h("tag.class", {attr: value}, child...) builds an element; strings become text nodes.
function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag);
  if (classes.length) el.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.classList.add(...String(v).split(" ").filter(Boolean));
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function say(message, isError) {
  const s = $("#status");
  s.textContent = message;
  s.classList.toggle("error", !!isError);
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

// ---- routing: #/?filters (list) and #/doc/ID?filters (document) ----

function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const filters = {};
  for (const f of FILTERS) if (params.get(f)) filters[f] = params.get(f);
  if (path.startsWith("/doc/")) return { view: "doc", doc: decodeURIComponent(path.slice(5)), filters };
  return { view: "list", filters };
}

function link(view, filters, doc) {
  const q = new URLSearchParams(filters).toString();
  const path = view === "doc" ? "/doc/" + encodeURIComponent(doc) : "/";
  return "#" + path + (q ? "?" + q : "");
}

const state = { route: null, list: [], listIndex: 0, doc: null, cur: null, edit: null, selection: null };

async function show() {
  const previous = state.route;
  state.route = route();
  state.edit = null;
  if (previous && previous.view !== state.route.view) say("");
  try {
    if (state.route.view === "doc") await showDoc(state.route.doc);
    else await showList();
  } catch (e) {
    say(e.message, true);
  }
}

// ---- the document list ----

async function loadList(filters) {
  const q = new URLSearchParams(filters).toString();
  state.list = await api("/api/documents" + (q ? "?" + q : ""));
  const filtered = Object.keys(filters).length > 0;
  return filtered ? state.list.filter((d) => d.matching > 0) : state.list;
}

async function showList() {
  const { filters } = state.route;
  const [facets, docs] = await Promise.all([api("/api/facets"), loadList(filters)]);
  $("#crumb").textContent = "";
  const options = { ics: facets.ics, type: facets.types, status: facets.statuses, rule: facets.rules };
  const selects = FILTERS.map((f) =>
    h("label", {}, f,
      h("select", {
        name: f,
        onchange: (e) => {
          const next = { ...filters };
          if (e.target.value) next[f] = e.target.value; else delete next[f];
          location.hash = link("list", next);
        },
      }, h("option", { value: "" }, "any"),
        options[f].map((v) => h("option", { value: v, selected: filters[f] === v }, v)))));
  const rows = docs.map((d, i) =>
    h("tr", { class: d.done ? "done" : null, "data-index": i, onclick: () => openDoc(d.doc) },
      h("td", {}, h("a", { href: link("doc", filters, d.doc) }, d.title || d.doc)),
      h("td", {}, d.doc),
      h("td", {}, h("span.bar", {}, h("span", { style: null })), `${d.reviewed} / ${d.facts}`),
      h("td", {}, Object.keys(filters).length ? String(d.matching) : ""),
      h("td", {}, d.done ? "done" : "")));
  rows.forEach((row, i) => {
    const d = docs[i];
    row.querySelector(".bar > span").style.width = d.facts ? `${(100 * d.reviewed) / d.facts}%` : "100%";
  });
  const reviewed = docs.reduce((n, d) => n + d.reviewed, 0);
  const total = docs.reduce((n, d) => n + d.facts, 0);
  $("#main").replaceChildren(
    h("div.filters", {}, selects),
    h("p", {}, docs.length === 0 && Object.keys(filters).length
      ? "No document has a fact that matches these filters. Set a filter back to “any” to see more."
      : `${docs.length} ${docs.length === 1 ? "document" : "documents"}, ${reviewed} of ${total} facts reviewed, ${docs.filter((d) => d.done).length} done.`),
    h("table.docs", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Title"), h("th", {}, "Document"), h("th", {}, "Reviewed"),
        h("th", {}, Object.keys(filters).length ? "Matching" : ""), h("th", {}, "Status"))),
      h("tbody", {}, rows)));
  state.listDocs = docs;
  state.listIndex = Math.min(state.listIndex, Math.max(docs.length - 1, 0));
  markListRow();
}

function markListRow() {
  document.querySelectorAll("table.docs tbody tr").forEach((tr, i) => {
    tr.classList.toggle("current", i === state.listIndex);
    if (i === state.listIndex) tr.scrollIntoView({ block: "nearest" });
  });
}

function openDoc(doc) {
  location.hash = link("doc", state.route.filters, doc);
}

// ---- the document view ----

function admits(f, filters) {
  const span = shown(f);
  return (!filters.ics || f.ics === filters.ics)
    && (!filters.type || span.type === filters.type)
    && (!filters.status || f.status === filters.status)
    && (!filters.rule || f.rule === filters.rule);
}

// The span a fact shows: its decision's, else as extracted.
function shown(f) {
  return f.decision || f.extracted;
}

function walk() {
  return state.doc.facts.filter((f) => admits(f, state.route.filters));
}

async function showDoc(doc, keep) {
  const [view, docs] = await Promise.all([
    api("/api/document?doc=" + encodeURIComponent(doc)),
    state.listDocs && keep ? state.listDocs : loadList(state.route.filters),
  ]);
  state.listDocs = docs;
  state.doc = view;
  state.chars = Array.from(view.text);
  const ids = walk().map((f) => f.id);
  if (!keep || !view.facts.some((f) => f.id === state.cur)) {
    state.cur = ids.find((id) => view.facts.find((f) => f.id === id).status === "unreviewed") || ids[0] || null;
  }
  renderDoc();
}

// A value in words: "≈ 1,500,000 people" (≈ about, < under, > over,
// ≥ at least, ≤ at most), "£4,100,000 per month", "41%", "2023 (start)",
// "P6W (duration)", "→ canonical name".
const QUALIFIER = { over: "> ", under: "< ", about: "≈ ", at_least: "≥ ", at_most: "≤ " };
const CURRENCY = { GBP: "£", USD: "$", EUR: "€" };
function summary(type, value, text) {
  if (!value || typeof value !== "object") return "";
  const num = (n) => (typeof n === "number" ? n.toLocaleString("en-GB", { maximumFractionDigits: 4 }) : "?");
  switch (type) {
    case "date": {
      if (value.value === null || value.value === undefined) return value.relative ? "relative, unresolved" : "?";
      const mod = value.mod ? ` (${value.mod.toLowerCase()})` : "";
      return value.value + mod + (value.kind === "duration" ? " (duration)" : "");
    }
    case "metric": {
      const q = QUALIFIER[value.qualifier] || "";
      const cur = CURRENCY[value.unit];
      const range = (n) => num(n) + (value.upper !== undefined && value.upper !== null ? "–" + num(value.upper) : "");
      const amount = cur ? cur + range(value.number)
        : value.unit === "percent" ? range(value.number) + "%"
        : [range(value.number), value.unit].filter(Boolean).join(" ");
      return q + amount + (value.per ? " per " + value.per : "");
    }
    case "organisation": return value.canonical && value.canonical !== text ? "→ " + value.canonical : value.kind || "";
    default: return value.canonical && value.canonical !== text ? "→ " + value.canonical : value.category || "";
  }
}

function renderDoc() {
  const view = state.doc;
  const record = view.record || {};
  const chars = state.chars;
  const facts = view.facts.map((f) => ({ f, s: shown(f) }));
  if (state.edit) facts.push({ f: { id: "__edit", status: "editing" }, s: state.edit });
  const sections = (record.sections && record.sections.length) ? record.sections
    : [{ kind: "other", start: 0, end: chars.length }];
  const blocks = sections.map((sec) => {
    const cuts = new Set([sec.start, sec.end]);
    for (const { s } of facts) {
      if (s.end <= sec.start || s.start >= sec.end) continue;
      cuts.add(Math.max(s.start, sec.start));
      cuts.add(Math.min(s.end, sec.end));
    }
    const points = [...cuts].sort((a, b) => a - b);
    const parts = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const text = chars.slice(a, b).join("");
      const over = facts.filter(({ s }) => s.start <= a && s.end >= b);
      if (!over.length) { parts.push(h("span", { "data-s": a }, text)); continue; }
      const top = over.find(({ f }) => f.id === "__edit") || over[over.length - 1];
      const classes = top.f.id === "__edit" ? "editing" :
        `t-${top.s.type} s-${top.f.status}${top.f.id === state.cur ? " current" : ""}`;
      parts.push(h("mark", { class: classes, "data-s": a, "data-fact": top.f.id, title: [top.s.type, top.f.status, top.f.rule || "added by an editor"].join(" · ") }, text));
      if (top.s.end === b && top.f.id !== "__edit") {
        parts.push(h("sup.val", { class: "s-" + top.f.status, "data-skip": true, "data-s": b }, summary(top.s.type, top.s.value, top.s.text)));
      }
    }
    const label = [sec.kind, sec.ics].filter(Boolean).join(" · ");
    return h("section.sec", { "data-kind": sec.kind }, h("div.sec-label", { "data-skip": true, "data-s": sec.start }, label), h("div.sec-text", {}, parts));
  });
  const scroller = $("#text");
  const scroll = scroller ? scroller.scrollTop : 0;
  const reviewed = view.facts.filter((f) => f.status !== "unreviewed").length;
  const position = state.listDocs.findIndex((d) => d.doc === view.doc);
  $("#crumb").textContent = record.title || view.doc;
  const text = h("div", { id: "text", onmouseup: onTextMouseUp, onclick: onTextClick }, blocks);
  $("#main").replaceChildren(
    h("div.doctools", {},
      h("a", { href: link("list", state.route.filters) }, "← list (g)"),
      h("span", {}, `document ${position + 1} of ${state.listDocs.length}: ${view.doc}`),
      h("span", {}, `${reviewed} / ${view.facts.length} facts reviewed`),
      view.done ? h("span.done", {}, `done (${view.done[0]})`) : null,
      h("button", { type: "button", onclick: toggleDone }, view.done ? "Reopen (d)" : "Mark done (d)"),
      h("button", { type: "button", onclick: () => stepDoc(-1) }, "[ previous"),
      h("button", { type: "button", onclick: () => stepDoc(1) }, "next ]")),
    h("div.docview", {}, text, h("aside", { id: "panel" }, panel())));
  $("#text").scrollTop = scroll;
  const current = document.querySelector(state.edit ? "mark.editing" : "mark.current");
  if (current) current.scrollIntoView({ block: "nearest" });
}

function panel() {
  if (state.edit) return editPanel();
  const f = state.doc.facts.find((x) => x.id === state.cur);
  if (!f) {
    return [h("h3", {}, "No fact selected"),
      h("p", {}, walk().length ? "Press j to go to the first fact." : "No facts match the filters. Select text and press x to add one.")];
  }
  const s = shown(f);
  const d = f.decision;
  return [
    h("h3", {}, h("span.badge", { class: "t-" + s.type }, s.type), " ", s.text),
    h("dl", {},
      h("dt", {}, "status"), h("dd", { class: "st", "data-status": f.status }, f.status),
      h("dt", {}, "value"), h("dd", {}, h("span.value-words", {}, summary(s.type, s.value, "")),
        h("details", {}, h("summary", {}, "as JSON"), h("pre", {}, JSON.stringify(s.value, null, 1)))),
      h("dt", {}, "span"), h("dd", {}, `${s.start}–${s.end}`),
      h("dt", {}, "rule"), h("dd", {}, f.rule || "(added by an editor)"),
      h("dt", {}, "section"), h("dd", {}, [state.doc.record.sections?.[f.section]?.kind, f.ics].filter(Boolean).join(" · ")),
      d ? [h("dt", {}, "decided"), h("dd", {}, `${d.decision} by ${d.editor}, ${d.at}`)] : null,
      d && f.extracted && d.decision === "correct" ? [h("dt", {}, "extracted"), h("dd", {}, `${f.extracted.type} “${f.extracted.text}” ${JSON.stringify(f.extracted.value)}`)] : null),
    !f.extracted && f.status !== "added" ? h("p.warn", {}, "The current rules no longer extract this fact.") : null,
    f.stale ? h("p.warn", {}, "The article's text changed since this decision: its span no longer matches. Correct or undo it.") : null,
    h("div.buttons", {},
      h("button", { type: "button", onclick: () => decide("accept") }, "Accept (a)"),
      h("button", { type: "button", onclick: () => decide("reject") }, "Reject (r)"),
      h("button", { type: "button", onclick: () => startEdit("correct") }, "Correct (e)"),
      h("button", { type: "button", onclick: () => startEdit("add") }, "Add selection (x)"),
      h("button", { type: "button", onclick: undo }, "Undo (u)")),
  ];
}

function editPanel() {
  const e = state.edit;
  const value = h("textarea", {
    id: "value", rows: 6, "aria-label": "value (JSON)",
    oninput: () => { e.valueText = value.value; e.valueEdited = true; },
    onkeydown: (ev) => {
      if (ev.key === "Escape") { ev.stopPropagation(); value.blur(); }
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); saveEdit(); }
    },
  });
  value.value = e.valueText;
  return [
    h("h3", {}, e.mode === "add" ? "Add a missed fact" : "Correct the fact"),
    h("dl", {},
      h("dt", {}, "text"), h("dd", {}, h("strong", { id: "edit-text" }, state.chars.slice(e.start, e.end).join(""))),
      h("dt", {}, "span"), h("dd", {}, `${e.start}–${e.end}`),
      h("dt", {}, "type"), h("dd", {},
        h("select", { id: "edit-type", onchange: (ev) => setEditType(ev.target.value) },
          TYPES.map((t, i) => h("option", { value: t, selected: t === e.type }, `${i + 1} ${t}`)))),
      h("dt", {}, "value"), h("dd", {}, value)),
    h("p", {}, "Select text, or ←/→ (end) and Shift+←/→ (start) by word; Alt for a character; 1–4 type; v value."),
    h("div.buttons", {},
      h("button", { type: "button", onclick: saveEdit }, "Save (Enter)"),
      h("button", { type: "button", onclick: cancelEdit }, "Cancel (Esc)")),
  ];
}

// ---- offsets: DOM positions to code points ----

function offsetAt(node, offset) {
  const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const skip = el && el.closest("[data-skip]");
  if (skip) return Number(skip.dataset.s);
  const holder = el && el.closest("[data-s]");
  if (!holder) return null;
  if (node.nodeType !== Node.TEXT_NODE) return Number(holder.dataset.s);
  return Number(holder.dataset.s) + Array.from(node.data.slice(0, offset)).length;
}

function selectionSpan() {
  const sel = window.getSelection();
  if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
  const range = sel.getRangeAt(0);
  if (!$("#text") || !$("#text").contains(range.commonAncestorContainer)) return null;
  const start = offsetAt(range.startContainer, range.startOffset);
  const end = offsetAt(range.endContainer, range.endOffset);
  if (start === null || end === null || end <= start) return null;
  return trim(start, end);
}

function trim(start, end) {
  const c = state.chars;
  while (start < end && /\s/u.test(c[start])) start++;
  while (end > start && /\s/u.test(c[end - 1])) end--;
  return end > start ? { start, end } : null;
}

function onTextMouseUp() {
  const span = selectionSpan();
  state.selection = span;
  if (span && state.edit) {
    Object.assign(state.edit, span);
    editChanged();
  }
}

function onTextClick(ev) {
  const mark = ev.target.closest("mark[data-fact]");
  if (!mark || state.edit || !window.getSelection().isCollapsed) return;
  state.cur = mark.dataset.fact;
  renderDoc();
}

// ---- decisions ----

function currentFact() {
  return state.doc && state.doc.facts.find((f) => f.id === state.cur);
}

async function decide(decision) {
  const f = currentFact();
  if (!f) return say("No fact selected.", true);
  try {
    const { fact } = await api("/api/decisions", { doc: state.doc.doc, fact: f.id, decision });
    say(`${fact.status}: ${shown(fact).type} “${shown(fact).text}”`);
    await showDoc(state.doc.doc, true);
    step(1, true);
  } catch (e) {
    say(e.message, true);
  }
}

async function undo() {
  try {
    const { undone, fact } = await api("/api/undo", { doc: state.doc.doc });
    await showDoc(state.doc.doc, true);
    if (fact) state.cur = undone;
    renderDoc();
    say(fact ? `undone: “${shown(fact).text}” is ${fact.status} again` : "undone: the added fact is gone");
  } catch (e) {
    say(e.message, true);
  }
}

async function toggleDone() {
  try {
    const done = !state.doc.done;
    await api("/api/done", { doc: state.doc.doc, done });
    await showDoc(state.doc.doc, true);
    say(done ? `${state.doc.doc} is done` : `${state.doc.doc} is open again`);
  } catch (e) {
    say(e.message, true);
  }
}

function startEdit(mode) {
  const f = currentFact();
  let span = selectionSpan() || state.selection;
  let type = f ? shown(f).type : "organisation";
  if (mode === "correct") {
    if (!f) return say("No fact selected to correct.", true);
    span = { start: shown(f).start, end: shown(f).end };
  } else if (!span) {
    // No selection: start from the word after the current fact (or the text's start).
    const from = f ? shown(f).end : 0;
    span = wordAfter(from);
    if (!span) return say("Select the text of the missed fact first.", true);
  }
  const base = mode === "correct" ? shown(f) : null;
  state.edit = {
    mode, type, start: span.start, end: span.end, fact: f ? f.id : null,
    valueText: base ? JSON.stringify(base.value, null, 1) : "", valueEdited: false,
  };
  window.getSelection().removeAllRanges();
  state.selection = null;
  if (!base) editChanged(); else renderDoc();
}

function wordAfter(from) {
  const c = state.chars;
  let s = from;
  while (s < c.length && !/[\p{L}\p{N}£$€]/u.test(c[s])) s++;
  let e = s;
  while (e < c.length && /[\p{L}\p{N}]/u.test(c[e])) e++;
  return e > s ? { start: s, end: e } : null;
}

function setEditType(type) {
  state.edit.type = type;
  editChanged();
}

// Span or type changed: re-propose the value unless the editor wrote one.
async function editChanged() {
  const e = state.edit;
  renderDoc();
  if (e.valueEdited) return;
  try {
    const text = state.chars.slice(e.start, e.end).join("");
    const { value } = await api("/api/propose", { doc: state.doc.doc, type: e.type, text });
    if (state.edit === e && !e.valueEdited) {
      e.valueText = JSON.stringify(value, null, 1);
      const box = $("#value");
      if (box) box.value = e.valueText;
    }
  } catch (err) {
    say(err.message, true);
  }
}

// Arrow keys move the span's end (with Shift its start) by a word, or with
// Alt by a character.
function moveEdit(ev) {
  const e = state.edit;
  const c = state.chars;
  const inWord = (i) => i >= 0 && i < c.length && /[\p{L}\p{N}]/u.test(c[i]);
  // A span never grows over a line break or the end of a sentence.
  const isBreak = (i) => c[i] === "\n" || (/[.!?]/.test(c[i]) && (i + 1 >= c.length || /\s/.test(c[i + 1])));
  const forward = (p, word) => { while (p < c.length && inWord(p) === word && (word || !isBreak(p))) p++; return p; };
  const backward = (p, word) => { while (p > 0 && inWord(p - 1) === word && (word || !isBreak(p - 1))) p--; return p; };
  const right = ev.key === "ArrowRight";
  if (ev.shiftKey) {
    const p = ev.altKey ? e.start + (right ? 1 : -1)
      : right ? forward(forward(e.start, true), false) : backward(backward(e.start, false), true);
    e.start = Math.max(0, Math.min(p, e.end - 1));
  } else {
    const p = ev.altKey ? e.end + (right ? 1 : -1)
      : right ? forward(forward(e.end, false), true) : backward(backward(e.end, true), false);
    e.end = Math.min(c.length, Math.max(p, e.start + 1));
  }
  const t = trim(e.start, e.end);
  if (t) Object.assign(e, t);
  editChanged();
}

async function saveEdit() {
  const e = state.edit;
  let value;
  try {
    value = JSON.parse(e.valueText || "null");
  } catch (err) {
    return say("The value is not valid JSON: " + err.message, true);
  }
  try {
    const { fact } = await api("/api/decisions", {
      doc: state.doc.doc, fact: e.mode === "correct" ? e.fact : null, decision: e.mode,
      type: e.type, start: e.start, end: e.end, value,
    });
    state.edit = null;
    state.cur = fact.id;
    await showDoc(state.doc.doc, true);
    state.cur = fact.id;
    renderDoc();
    say(`${fact.status}: ${shown(fact).type} “${shown(fact).text}”`);
  } catch (err) {
    say(err.message, true);
  }
}

function cancelEdit() {
  state.edit = null;
  renderDoc();
  say("edit cancelled");
}

// ---- moving around ----

function step(delta, toUnreviewed) {
  const ids = walk().map((f) => f.id);
  if (!ids.length) return;
  let i = ids.indexOf(state.cur);
  if (toUnreviewed) {
    const facts = walk();
    const next = facts.findIndex((f, j) => j > i && f.status === "unreviewed");
    i = next >= 0 ? next : Math.min(i + 1, ids.length - 1);
  } else {
    i = i < 0 ? 0 : Math.max(0, Math.min(ids.length - 1, i + delta));
  }
  state.cur = ids[i];
  renderDoc();
}

function stepDoc(delta) {
  const docs = state.listDocs || [];
  const i = docs.findIndex((d) => d.doc === state.doc.doc);
  const next = docs[i + delta];
  if (next) openDoc(next.doc);
  else say(delta > 0 ? "This is the last document." : "This is the first document.");
}

// ---- keys ----

function onKey(ev) {
  if ($("#help").open) return;
  const tag = (ev.target.tagName || "").toLowerCase();
  const typing = tag === "textarea" || tag === "input";
  if (typing || ev.ctrlKey || ev.metaKey) return;
  if (state.edit) return editKey(ev);
  // A focused filter or type list keeps its own keys.
  if (tag === "select") return;
  if (ev.key === "?") { $("#help").showModal(); ev.preventDefault(); return; }
  if (state.route.view === "list") return listKey(ev);
  const actions = {
    j: () => step(1), ArrowDown: () => step(1), n: () => step(1),
    k: () => step(-1), ArrowUp: () => step(-1), p: () => step(-1),
    a: () => decide("accept"), r: () => decide("reject"),
    e: () => startEdit("correct"), x: () => startEdit("add"),
    u: undo, d: toggleDone,
    "]": () => stepDoc(1), "[": () => stepDoc(-1),
    g: () => { location.hash = link("list", state.route.filters); },
    Escape: () => { location.hash = link("list", state.route.filters); },
  };
  const action = actions[ev.key];
  if (action) { ev.preventDefault(); action(); }
}

function editKey(ev) {
  const tag = (ev.target.tagName || "").toLowerCase();
  if (ev.key === "Escape") { ev.preventDefault(); cancelEdit(); return; }
  if (ev.key === "Enter" && tag !== "button") { ev.preventDefault(); saveEdit(); return; }
  if (tag === "select") return;
  if (ev.key === "ArrowLeft" || ev.key === "ArrowRight") { ev.preventDefault(); moveEdit(ev); return; }
  if (/^[1-4]$/.test(ev.key)) { ev.preventDefault(); setEditType(TYPES[Number(ev.key) - 1]); return; }
  if (ev.key === "v") { ev.preventDefault(); $("#value").focus(); }
}

function listKey(ev) {
  const docs = state.listDocs || [];
  if (["j", "ArrowDown"].includes(ev.key)) state.listIndex = Math.min(docs.length - 1, state.listIndex + 1);
  else if (["k", "ArrowUp"].includes(ev.key)) state.listIndex = Math.max(0, state.listIndex - 1);
  else if (ev.key === "Enter" && docs[state.listIndex] && (ev.target.tagName || "").toLowerCase() !== "a") {
    openDoc(docs[state.listIndex].doc);
  } else return;
  ev.preventDefault();
  markListRow();
}

async function start() {
  try {
    const session = await api("/api/session");
    $("#who").textContent = `${session.editor} · ${session.db}`;
  } catch (e) {
    say(e.message, true);
  }
  $("#help-button").addEventListener("click", () => $("#help").showModal());
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", show);
  show();
}

start();
