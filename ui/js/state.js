// The page's state: the project as the server saved it, values the server never stores (passwords,
// kept in memory only), the latest validation findings, and the save/validate cycle.
import { api, errorText } from "./api.js";
import { $, $$, dialog, el, toast } from "./dom.js";
import { ENTER_LOGIN, FIELDS, getPath, hostOf } from "./fields.js";

export const state = {
  project: null,
  info: {},
  findings: {},
  secrets: {}, // field id → value typed this session (never saved, never in storage)
  pushCred: ENTER_LOGIN,
  remember: true,
  logins: [],
  storeImage: null,
  primaryStoreImage: null,
  primaryLogin: "",
  primaryDockerfile: null,
  modelReport: null,
  modelSecretValues: {},
  job: null,
  listeners: [],
};

// Validation actions and the buttons that run them.
export const ACTIONS = {
  createAuxImage: { label: "Create Auxiliary Image", button: "btn-create-aux" },
  pushAuxImage: { label: "Push Auxiliary Image", button: "btn-push-aux" },
  createAndPush: { label: "Create and Push", button: "btn-create-push" },
  checkImage: { label: "Check in Registry", button: "primary-check" },
  createPrimary: { label: "Create Primary Image", button: "btn-create-primary" },
  previewPrimary: { label: "Preview Dockerfile", button: "btn-preview-primary" },
  pushPrimaryImage: { label: "Push Primary Image", button: "btn-push-primary" },
  checkModel: { label: "Check Model", button: "btn-check-model" },
  pullSecret: { label: "Create Pull Secret", button: "btn-pull-secret" },
  domain: { label: "Generate", button: "btn-generate" },
  domainApply: { label: "Apply with kubectl", button: "btn-apply" },
  domainDryRun: { label: "Dry Run", button: "btn-dry-run", validate: "domainApply" },
  domainStatus: { label: "Get Domain Status", button: "btn-domain-status" },
};

export const onChange = (fn) => state.listeners.push(fn);

export const pushTyped = () => state.project.image.aux.pushAuth && state.pushCred === ENTER_LOGIN;

let saveTimer = null;
let saving = null;
let dirty = false;

function setSaved(text) {
  $("save-state").textContent = text;
  $("save-state").dataset.state = text;
}

// Save the project (PUT) and validate; debounced while typing.
export function scheduleSave() {
  dirty = true;
  document.body.dataset.busy = "1";
  setSaved("unsaved changes");
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => { saveNow(); }, 350);
}

export async function saveNow() {
  clearTimeout(saveTimer);
  saveTimer = null;
  if (saving) await saving;
  if (!dirty) return; // nothing changed since the last save and validation
  dirty = false;
  saving = (async () => {
    setSaved("saving…");
    const r = await api("PUT", "/api/project", state.project);
    if (r.status === 200) {
      state.project = r.data;
      setSaved("saved");
    } else {
      dirty = true;
      setSaved("not saved");
      toast(`The project was not saved: ${errorText(r)}`, "error");
    }
    await validate();
  })();
  await saving;
  saving = null;
  if (!saveTimer || document.body.dataset.busy === "1") document.body.dataset.busy = "0";
}

export async function validate() {
  const actions = [...new Set(Object.entries(ACTIONS).map(([k, a]) => a.validate || k))];
  const body = { actions, wlsPassword: !!state.secrets["wls-password"], supportPassword: !!state.secrets["primary-support-password"] };
  if (pushTyped() && $("aux-push-user")) body.user = $("aux-push-user").value.trim();
  const r = await api("POST", "/api/validate", body);
  if (r.status !== 200) return;
  state.findings = r.data;
  showFindings();
  for (const fn of state.listeners) fn();
}

// Inline messages under the fields, and action buttons disabled (with the reasons as a tooltip)
// while their action has blocking errors.
export function showFindings() {
  $$(".field-error").forEach((e) => { e.replaceChildren(); e.dataset.severity = ""; });
  const seen = new Set();
  for (const list of Object.values(state.findings)) {
    for (const f of list) {
      const key = `${f.field}\u0000${f.message}`;
      const slot = $(`${f.field}-error`);
      if (!slot || seen.has(key)) continue;
      seen.add(key);
      slot.append(el("span", { class: f.severity }, f.message));
      if (f.severity === "error" || !slot.dataset.severity) slot.dataset.severity = f.severity;
    }
  }
  for (const [action, a] of Object.entries(ACTIONS)) {
    const b = document.querySelector(`[data-testid="${a.button}"]`);
    if (!b) continue;
    const reasons = blocking(action);
    b.setAttribute("aria-disabled", reasons.length ? "true" : "false");
    b.title = reasons.length ? reasons.map((f) => f.message).join("\n") : b.dataset.tip || "";
  }
}

// The errors that block an action, plus the page's own reasons (Push needs a local image).
export function blocking(action) {
  const errs = (state.findings[ACTIONS[action]?.validate || action] || []).filter((f) => f.severity === "error");
  const push = action === "pushAuxImage" || action === "createAndPush";
  const host = state.project.image.aux.login.host;
  if (push && pushTyped() && !state.secrets["aux-push-password"] && !state.logins.some((l) => l.stored && l.host === host && l.user === typedUser()))
    errs.push({ field: "aux-push-password", page: "Image", tab: "Auxiliary Image", severity: "error", message: `Enter the push password for ${host || "the registry"} (on OCIR an auth token), or choose a saved login.` });
  if (action === "pushPrimaryImage" && !state.primaryStoreImage && state.project.image.primary.tag && !errs.some((f) => f.field === "primary-tag"))
    errs.push({ field: "primary-tag", page: "Image", tab: "Primary Image", severity: "error", message: `There is no image ${state.project.image.primary.tag} in the local store: Create Primary Image first.` });
  if (action === "pushAuxImage" && !state.storeImage && state.project.image.aux.tag && !errs.some((f) => f.field === "aux-tag"))
    errs.push({ field: "aux-tag", page: "Image", tab: "Auxiliary Image", severity: "error", message: `There is no image ${state.project.image.aux.tag} in the local store: Create Auxiliary Image first.` });
  return errs;
}

// "N field(s) were invalid:" with each entry a link to its page, tab and field.
export function validationDialog(action, errs, goTo) {
  const title = `${ACTIONS[action]?.label || action} Aborted`;
  const list = el("ul", { class: "findings" });
  for (const f of errs) {
    const def = FIELDS[f.field];
    const where = [f.page, f.tab].filter(Boolean).join(" › ");
    const link = el("button", { type: "button", class: "link", "data-testid": `dlg-link-${f.field}`, onclick: () => { d.close(); goTo(def?.page, def?.tab, f.field); } }, `${def?.label || f.field} (${where})`);
    list.append(el("li", {}, link, ": ", f.message));
  }
  const n = new Set(errs.map((f) => f.field)).size;
  let d = null;
  return dialog({ testid: "dlg-validation", title, body: el("div", {}, el("p", {}, `${n} field(s) were invalid:`), list), buttons: ["OK"], onOpen: (x) => { d = x; } });
}

export function typedUser() {
  return pushTyped() ? ($("aux-push-user")?.value || "").trim() : "";
}

export { getPath, hostOf };
