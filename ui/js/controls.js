// Renders the Design View panels of fields.js and keeps them in step with the project.
import { api } from "./api.js";
import { $, $$, el } from "./dom.js";
import { ENTER_LOGIN, FIELDS, PANELS, getPath, setPath } from "./fields.js";
import { scheduleSave, state } from "./state.js";

let browse = null; // the file picker (pages.js)
export const setBrowse = (fn) => { browse = fn; };

function changed(f, value) {
  if (f.path) setPath(state.project, f.path, value);
  if (f.local) state[f.local] = value;
  if (f.type === "password") state.secrets[f.id] = value;
  if (f.id === "aux-push-user" || f.id === "aux-tag") syncLogin();
  refresh();
  scheduleSave();
}

// A typed push login is bound to the tag's host: the login host is always the tag's host.
export function syncLogin() {
  const aux = state.project.image.aux;
  const host = hostOfTag(aux.tag);
  if (state.pushCred === ENTER_LOGIN) {
    aux.login = { host: host || "", user: ($("aux-push-user")?.value || "").trim() };
  } else {
    const l = state.logins.find((x) => x.host === host && x.stored);
    aux.login = l ? { host, user: l.user } : { host: "", user: "" };
  }
}

function hostOfTag(tag) {
  const slash = (tag || "").indexOf("/");
  const first = slash < 0 ? "" : tag.slice(0, slash);
  return first && (first.includes(".") || first.includes(":") || first === "localhost") ? first : tag ? "docker.io" : "";
}

function control(f) {
  const common = { id: f.id, "data-testid": f.testid || f.id, "aria-describedby": `${f.id}-help ${f.id}-error` };
  switch (f.type) {
    case "ro":
      return el("output", { ...common, class: "ro" });
    case "checkbox":
      return el("input", { ...common, type: "checkbox", disabled: f.disabled, onchange: (e) => changed(f, e.target.checked) });
    case "password":
      return el("input", { ...common, type: "password", autocomplete: "new-password", spellcheck: "false", oninput: (e) => changed(f, e.target.value) });
    case "select": {
      const s = el("select", { ...common, onchange: (e) => onSelect(f, e.target.value) });
      for (const [v, label, off] of f.options || []) s.append(el("option", { value: v, disabled: off }, label));
      return s;
    }
    case "radio":
    case "platforms": {
      const box = el("div", { ...common, role: f.type === "radio" ? "radiogroup" : "group", class: "choices", "aria-labelledby": `${f.id}-label` });
      const opts = f.type === "platforms" ? [["linux/amd64", "Intel/AMD (linux/amd64)"], ["linux/arm64", "ARM (linux/arm64)"]] : f.options;
      for (const [v, label] of opts) {
        const id = `${f.id}-${v.replace(/[^a-z0-9]/gi, "-")}`;
        const input = el("input", { id, type: f.type === "radio" ? "radio" : "checkbox", name: f.id, value: v, "data-testid": id, onchange: () => onChoice(f) });
        box.append(el("label", { for: id, class: "choice" }, input, " ", label));
      }
      return box;
    }
    case "button":
      return el("div", { class: "button-row" }, el("button", { ...common, type: "button", class: "secondary", "data-tip": f.help }, f.label),
        el("output", { id: `${f.id}-result`, "data-testid": `${f.id}-result`, class: "result", "aria-live": "polite" }));
    case "buttons":
      return el("div", { id: f.id, class: "button-row", role: "group", "aria-label": f.label, "aria-describedby": common["aria-describedby"] },
        ...f.buttons.map(([id, label, cls]) => el("button", { id, type: "button", "data-testid": id, class: cls }, label)));
    case "list":
      return listControl(f, common);
    case "secrets":
      return el("div", { ...common, class: "secret-list" });
    default: {
      const input = el("input", { ...common, type: "text", autocomplete: f.autocomplete || "off", spellcheck: "false", placeholder: f.placeholder, oninput: (e) => changed(f, e.target.value.trim()) });
      if (!f.browse) return input;
      return el("div", { class: "with-button" }, input, el("button", { type: "button", class: "secondary", "data-testid": `${f.id}-browse`, onclick: () => browse?.(f.id, (path) => { input.value = path; changed(f, path); }) }, "Browse…"));
    }
  }
}

function onSelect(f, value) {
  if (f.id === "aux-push-cred") {
    state.pushCred = value;
    syncLogin();
    refresh();
    scheduleSave();
    return;
  }
  changed(f, value);
}

function onChoice(f) {
  const picked = $$(`input[name="${f.id}"]`).filter((i) => i.checked).map((i) => i.value);
  changed(f, f.type === "radio" ? picked[0] : picked);
}

// A file list: entries with Up, Down and Remove, and an input with Browse… and Add.
function listControl(f, common) {
  const box = el("div", { ...common, class: "file-list" });
  const ul = el("ul", { "data-testid": `${f.id}-items` });
  const input = el("input", { type: "text", id: `${f.id}-add`, "data-testid": `${f.id}-add`, placeholder: f.placeholder || "path (relative to the project file, or absolute)", "aria-label": `Add to ${f.label}` });
  const add = (path) => {
    if (!path) return;
    const list = [...(getPath(state.project, f.path) || []), path];
    input.value = "";
    changed(f, list);
  };
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); add(input.value.trim()); } });
  box.append(ul, el("div", { class: "with-button" }, input,
    f.nobrowse ? null : el("button", { type: "button", class: "secondary", "data-testid": `${f.id}-browse`, onclick: () => browse?.(f.id, add) }, "Browse…"),
    el("button", { type: "button", class: "secondary", "data-testid": `${f.id}-add-btn`, onclick: () => add(input.value.trim()) }, "Add")));
  return box;
}

function renderList(f) {
  const ul = document.querySelector(`[data-testid="${f.id}-items"]`);
  const list = getPath(state.project, f.path) || [];
  const move = (i, d) => {
    const l = [...list];
    [l[i], l[i + d]] = [l[i + d], l[i]];
    changed(f, l);
  };
  ul.replaceChildren(...list.map((p, i) => el("li", {}, el("code", {}, p),
    el("button", { type: "button", class: "icon", "aria-label": `Move ${p} up`, disabled: i === 0, onclick: () => move(i, -1) }, "↑"),
    el("button", { type: "button", class: "icon", "aria-label": `Move ${p} down`, disabled: i === list.length - 1, onclick: () => move(i, 1) }, "↓"),
    el("button", { type: "button", class: "icon", "aria-label": `Remove ${p}`, onclick: () => changed(f, list.filter((_, k) => k !== i)) }, "✕"))));
  if (!list.length) ul.append(el("li", { class: "empty" }, "none"));
}

export function renderPanels() {
  for (const p of PANELS) {
    const host = document.querySelector(`#page-${p.page} .design${p.tab ? ` > div[data-tab="${p.tab}"]` : ""}`);
    const panel = p.advanced ? el("details", { class: "panel", "data-panel": p.title }, el("summary", {}, p.title)) : el("section", { class: "panel", "data-panel": p.title }, el("h2", {}, p.title));
    for (const f0 of p.fields) {
      const f = FIELDS[f0.id];
      const labelled = !["radio", "platforms", "button", "buttons"].includes(f.type);
      const label = f.type === "button" || f.type === "buttons" ? null : el(labelled ? "label" : "span", { id: `${f.id}-label`, for: labelled ? f.id : null, class: "label" }, f.label);
      const wrap = el("div", { class: `field field-${f.type || "text"}`, "data-field": f.id }, label, control(f),
        el("p", { class: "help", id: `${f.id}-help` }, f.help || ""),
        el("p", { class: "field-error", id: `${f.id}-error`, "data-testid": `${f.id}-error`, "aria-live": "polite" }));
      panel.append(wrap);
    }
    host.append(panel);
  }
}

// Values from the project into the controls (not into the one being typed in), and visibility.
export function refresh() {
  const p = state.project;
  for (const f of Object.values(FIELDS)) {
    const c = $(f.id);
    if (!c) continue;
    const wrap = c.closest(".field");
    if (wrap) wrap.hidden = f.show ? !f.show(p, state) : false;
    if (f.type === "ro") c.textContent = f.value(p, state) || "—";
    else if (f.type === "list") renderList(f);
    else if (f.type === "radio" || f.type === "platforms") {
      const v = f.path ? getPath(p, f.path) : f.options?.[0]?.[0];
      for (const i of $$(`input[name="${f.id}"]`)) i.checked = Array.isArray(v) ? v.includes(i.value) : i.value === v;
    } else if (f.type === "checkbox") c.checked = f.path ? !!getPath(p, f.path) : f.local ? !!state[f.local] : false;
    else if (f.type === "select" && f.path && document.activeElement !== c) c.value = getPath(p, f.path) ?? "";
    else if ((f.type === undefined || f.type === "text") && f.path && document.activeElement !== c) c.value = getPath(p, f.path) ?? "";
  }
  for (const sec of $$(".panel")) {
    const panelDef = PANELS.find((x) => x.title === sec.dataset.panel);
    if (panelDef?.show) sec.hidden = !panelDef.show(p, state);
  }
}

// Replace a select's options (value, label, disabled), keeping the project's value.
export function setOptions(id, options) {
  const sel = $(id);
  sel.replaceChildren(...options.map(([v, label, off]) => el("option", { value: v, disabled: off }, label)));
  const f = FIELDS[id];
  sel.value = f?.path ? getPath(state.project, f.path) ?? "" : "";
}

// The push login select: saved logins for the tag's host, and "Enter user name and password…".
export async function loadLogins() {
  const host = hostOfTag(state.project.image.aux.tag);
  const r = host ? await api("GET", `/api/credentials?host=${encodeURIComponent(host)}`) : { status: 200, data: [] };
  state.logins = r.status === 200 ? r.data : [];
  const sel = $("aux-push-cred");
  const stored = state.logins.filter((l) => l.stored && l.host === host);
  sel.replaceChildren(...stored.map((l) => el("option", { value: `${l.host}|${l.user}` }, `${l.user} @ ${l.host} (stored in ${l.where})`)),
    el("option", { value: ENTER_LOGIN }, "Enter user name and password…"));
  const want = state.project.image.aux.login;
  const typing = state.pushCred === ENTER_LOGIN && ($("aux-push-user")?.value || "") !== "";
  const match = typing ? null : stored.find((l) => l.user === want.user) || (stored.length === 1 ? stored[0] : null);
  state.pushCred = match ? `${match.host}|${match.user}` : ENTER_LOGIN;
  sel.value = state.pushCred;
  refresh();
}
