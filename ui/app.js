// wlsimg ui: the page. Pages Project, Model, Image (Primary Image, Auxiliary Image), Registries,
// Kubernetes (Secrets, Domain) and Jobs, each with a Design View and a Code View, over the JSON API
// of docs/internals/ui.md. Plain ES modules, no build step, nothing from the network.
import { api, errorText, startSession } from "./js/api.js";
import { $, $$, dialog, el, fmtTime, toast } from "./js/dom.js";
import { loadLogins, refresh, renderPanels, setBrowse, setOptions, syncLogin } from "./js/controls.js";
import { FIELDS, hostOf } from "./js/fields.js";
import { cancelJob, renderJobs, resumeRunning, setJobHooks, startJob } from "./js/jobs.js";
import { addEmbeddedUser, addLogin, browse, importWkt, loadContexts, renderCode, renderModel, renderRegistries, testLogin, useEmbedded } from "./js/pages.js";
import { ACTIONS, blocking, onChange, pushTyped, saveNow, scheduleSave, showFindings, state, validate, validationDialog } from "./js/state.js";

const PAGE_TABS = { image: ["primary", "aux"], k8s: ["secrets", "domain"] };

// ---- navigation ----

function showTab(page, tab) {
  const sec = $(`page-${page}`);
  for (const b of $$(".tabs [role=tab]", sec)) {
    const on = b.dataset.tab === tab;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
  }
  for (const d of $$(".design > [data-tab]", sec)) d.hidden = d.dataset.tab !== tab;
  sec.dataset.tab = tab;
}

function showView(page, code) {
  const sec = $(`page-${page}`);
  for (const b of $$(".views [role=tab]", sec)) {
    const on = (b.dataset.view === "code") === code;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
  }
  $$(".design", sec).forEach((d) => { d.hidden = code; });
  $$(".code-view", sec).forEach((d) => { d.hidden = !code; });
  if (code) renderCode(page);
}

// Go to a page (and tab), optionally focusing a field or opening the Code View.
export function goTo(page, tab, field, code = false) {
  if (!page) return;
  if ($(`page-${page}`).hidden) $("main").scrollTop = 0; // another page starts at its top
  for (const b of $$("#nav button")) b.setAttribute("aria-current", b.dataset.page === page ? "page" : "false");
  for (const s of $$("main > section")) s.hidden = s.dataset.page !== page;
  if (tab || PAGE_TABS[page]) showTab(page, tab || $(`page-${page}`).dataset.tab || PAGE_TABS[page][1]);
  showView(page, code);
  enterPage(page);
  if (field) {
    const c = $(field) || document.querySelector(`[data-testid="${field}"]`);
    const adv = c?.closest("details");
    if (adv) adv.open = true;
    (c?.matches("div") ? c.querySelector("input,select,button") : c)?.focus();
  }
}

function enterPage(page) {
  if (page === "model") renderModel();
  if (page === "registries") renderRegistries();
  if (page === "jobs") renderJobs();
  if (page === "k8s") { loadContexts(); renderModel(); }
}

// Arrow keys move between the tabs of a tab list (the WAI-ARIA tabs pattern).
function tabKeys(e) {
  const tabs = $$("[role=tab]", e.currentTarget);
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
  if (!d) return;
  e.preventDefault();
  const next = tabs[(i + d + tabs.length) % tabs.length];
  next.focus();
  next.click();
}

// ---- the checks the page makes itself ----

async function storeCheck() {
  const tag = state.project.image.aux.tag;
  const r = tag ? await api("GET", `/api/store/images/${encodeURI(tag)}`) : { status: 404 };
  state.storeImage = r.status === 200 ? r.data : null;
  const b = document.querySelector('[data-testid="btn-push-aux"]');
  b.dataset.tip = state.storeImage ? `Local image ${state.storeImage.digest}${state.storeImage.created ? `, built ${fmtTime(state.storeImage.created)}` : ""}` : "";
  const base = state.project.image.aux.base.custom ? state.project.image.aux.base.ref : "busybox";
  const rb = base ? await api("GET", `/api/store/images/${encodeURI(base)}`) : { status: 404 };
  state.baseSource = rb.status === 200 ? `${base} is in the local store (digest ${rb.data.digest})` : `${base} will be pulled from ${hostOf(base.includes("/") ? base : `docker.io/${base}`)}`;
  const rw = await api("GET", "/api/wdt");
  const inst = rw.data?.installers || [];
  state.wdtCached = inst.length ? inst.map((i) => `${i.version} (${i.path})`).join(", ") : `none in ${rw.data?.cache || "the cache"}: add one with wlsimg cache addInstaller --type wdt`;
  refresh();
}

// The primary image: in the local store (Push needs it), and the login a push would use.
async function primaryCheck() {
  const tag = state.project.image.primary.tag;
  const r = tag ? await api("GET", `/api/store/images/${encodeURI(tag)}`) : { status: 404 };
  state.primaryStoreImage = r.status === 200 ? r.data : null;
  $("btn-push-primary").dataset.tip = state.primaryStoreImage ? `Local image ${state.primaryStoreImage.digest}${state.primaryStoreImage.created ? `, built ${fmtTime(state.primaryStoreImage.created)}` : ""}` : "";
  const host = hostOf(tag).startsWith("Docker Hub") ? "docker.io" : hostOf(tag);
  const rc = tag ? await api("GET", `/api/credentials?host=${encodeURIComponent(host)}`) : { status: 200, data: [] };
  const l = (rc.data || []).find((x) => x.stored && x.host === host);
  state.primaryLogin = l ? `${l.user} @ ${l.host} (stored in ${l.where})` : `none saved for ${host || "the tag's host"}: the push goes without credentials; add one on the Registries page`;
  refresh();
}

// After a reload: the Dockerfile of this server's last primary image preview or create.
async function lastDockerfile() {
  const r = await api("GET", "/api/jobs");
  const j = (r.data || []).find((x) => x.type === "createPrimary" && x.result?.dockerfile);
  if (j) state.primaryDockerfile = j.result.dockerfile;
}

// The builder select: automatic, then the engines this machine has.
function engineOptions() {
  const e = state.info.engines || { engines: [] };
  setOptions("primary-builder", [["", e.auto ? `Automatic (${e.auto})` : "Automatic (none found)"],
    ...e.engines.map((x) => [x.name, x.found ? x.name : `${x.name} (not installed)`, !x.found])]);
}

let lastTag = null;
let lastPrimary = null;
let lastUid = null;
onChange(() => {
  if (state.project.image.primary.tag !== lastPrimary) {
    lastPrimary = state.project.image.primary.tag;
    primaryCheck().then(showFindings);
  }
  if (state.project.k8s.domainUid !== lastUid) {
    lastUid = state.project.k8s.domainUid;
    if (!$("page-k8s").hidden) renderModel(); // the model's secret names depend on the UID
  }
  const tag = state.project.image.aux.tag;
  if (tag !== lastTag) {
    lastTag = tag;
    storeCheck().then(loadLogins).then(showFindings);
  }
});

// ---- actions ----

const PUSHES = new Set(["pushAuxImage", "createAndPush"]);

async function run(type, extra = {}, key = type) {
  window.wlsimgStats.marks.click = performance.now();
  await saveNow();
  const action = ACTIONS[key]?.validate || type;
  const errs = blocking(key);
  if (errs.length) return validationDialog(key, errs, goTo);
  if (PUSHES.has(type)) {
    const warn = (state.findings[action] || []).filter((f) => f.confirm);
    if (warn.length) {
      const a = await dialog({ testid: "dlg-confirm", title: "Push Auxiliary Image", body: el("ul", { class: "findings" }, ...warn.map((f) => el("li", { class: "warning" }, f.message))), buttons: ["Push anyway", "Cancel"], dflt: "Cancel" });
      if (a !== "Push anyway") return null;
    }
  }
  const params = { ...extra };
  if (PUSHES.has(type) && pushTyped() && state.secrets["aux-push-password"]) {
    params.user = $("aux-push-user").value.trim();
    params.password = state.secrets["aux-push-password"];
    params.remember = state.remember;
  }
  if (type === "createPrimary" && state.secrets["primary-support-password"]) params.supportPassword = state.secrets["primary-support-password"];
  if (type === "domainApply") {
    params.wlsPassword = state.secrets["wls-password"] || undefined;
    params.modelSecrets = state.modelSecretValues;
  }
  const id = await startJob(type, params, (v) => validationDialog(key, v.filter((f) => f.severity === "error"), goTo));
  if (id && params.password) {
    // the server has it now; it is never sent back
    $("aux-push-password").value = "";
    state.secrets["aux-push-password"] = "";
  }
  return id;
}

async function afterJob(type, ev) {
  const r = await api("GET", "/api/project");
  if (r.status === 200) {
    state.project = r.data;
    refresh();
  }
  await storeCheck();
  await primaryCheck();
  await loadLogins();
  await validate();
  if (type === "checkModel") renderModel();
  if (type === "pullSecret" && !$("page-k8s").hidden) renderCode("k8s");
  if (!$("page-jobs").hidden) renderJobs();
  if (type === "checkImage") $("primary-check-result").textContent = ev.message || "";
}

function wire() {
  for (const b of $$("#nav button")) b.addEventListener("click", () => goTo(b.dataset.page));
  for (const list of $$("[role=tablist]")) list.addEventListener("keydown", tabKeys);
  for (const b of $$(".tabs [role=tab]")) b.addEventListener("click", () => showTab(b.closest("section").dataset.page, b.dataset.tab));
  for (const b of $$(".views [role=tab]")) b.addEventListener("click", () => showView(b.closest("section").dataset.page, b.dataset.view === "code"));
  const click = (testid, fn) => document.querySelector(`[data-testid="${testid}"]`)?.addEventListener("click", fn);
  click("btn-create-aux", () => run("createAuxImage"));
  click("btn-push-aux", () => run("pushAuxImage"));
  click("btn-create-push", () => run("createAndPush"));
  click("primary-check", () => run("checkImage"));
  click("btn-preview-primary", () => run("createPrimary", { dryRun: true }, "previewPrimary"));
  click("btn-create-primary", () => run("createPrimary"));
  click("btn-push-primary", () => run("pushPrimaryImage"));
  click("btn-check-model", () => run("checkModel"));
  click("btn-pull-secret", () => run("pullSecret"));
  click("btn-dry-run", () => run("domainApply", { dryRun: true }, "domainDryRun"));
  click("btn-apply", () => run("domainApply"));
  click("btn-domain-status", () => run("domainStatus"));
  click("btn-generate", async () => {
    await saveNow();
    const errs = blocking("domain");
    if (errs.length) return validationDialog("domain", errs, goTo);
    return goTo("k8s", null, null, true);
  });
  click("btn-test-login", () => {
    const host = state.project.image.aux.login.host || hostOf(state.project.image.aux.tag);
    const body = pushTyped() ? { user: $("aux-push-user").value.trim(), password: state.secrets["aux-push-password"] || "" } : {};
    testLogin(host, body, $("aux-push-test-result"));
  });
  click("import-wktproj", () => importWkt(async () => {
    const r = await api("GET", "/api/project");
    state.project = r.data;
    refresh();
    await validate();
  }));
  click("btn-add-registry", addLogin);
  click("btn-emb-add-user", addEmbeddedUser);
  click("btn-emb-use", () => useEmbedded(goTo));
  click("btn-cancel-job", cancelJob);
  click("job-label", () => { $("activity-body").hidden = false; $("activity").scrollIntoView(); });
  click("btn-activity-toggle", (e) => {
    const open = $("activity-body").hidden;
    $("activity-body").hidden = !open;
    e.currentTarget.setAttribute("aria-expanded", String(open));
  });
  for (const id of ["emb-url", "emb-root"]) $(id).addEventListener("change", (e) => {
    state.project.registry[id === "emb-url" ? "url" : "root"] = e.target.value.trim();
    saveNow().then(renderRegistries);
  });
  $("aux-push-user").addEventListener("change", () => { syncLogin(); scheduleSave(); });
  $("wls-password").addEventListener("input", () => scheduleSave());
  setBrowse(browse);
  setJobHooks({ done: afterJob, goTo });
}

async function main() {
  renderPanels();
  wire();
  try {
    await startSession();
    const [info, proj] = await Promise.all([api("GET", "/api/info"), api("GET", "/api/project")]);
    if (proj.status !== 200) throw new Error(errorText(proj));
    state.info = info.data;
    state.project = proj.data;
    $("project-path-label").textContent = state.info.projectFile;
    $("emb-url").value = state.project.registry.url;
    $("emb-root").value = state.project.registry.root;
    $("emb-root").placeholder = state.info.registryRoot;
    engineOptions();
    refresh();
    goTo("image", "aux");
    await Promise.all([validate(), resumeRunning(), lastDockerfile()]);
    document.body.dataset.ready = "true";
    performance.mark("wlsimg-ready");
  } catch (e) {
    await dialog({ testid: "dlg-result", title: "wlsimg ui", body: String(e.message || e), buttons: ["Close"] });
  }
}

window.addEventListener("error", (e) => toast(`Page error: ${e.message}`, "error"));
main();
export { FIELDS };
