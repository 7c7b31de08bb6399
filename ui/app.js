// wlsimg ui: the Image page's lab flow (Auxiliary Image: Create, Push) over the JSON API of docs/internals/ui.md.
const $ = (id) => document.getElementById(id);
let csrf = "";
let project = null;

async function api(method, path, body) {
  const opts = { method, headers: { "X-Wlsimg-CSRF": csrf }, credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const resp = await fetch(path, opts);
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  return { status: resp.status, data };
}

async function startSession() {
  const m = /(?:^#|&)t=([0-9a-f]+)/.exec(location.hash);
  let r = null;
  if (m) {
    r = await api("POST", "/api/session", { token: m[1] });
    history.replaceState(null, "", location.pathname);
  }
  if (!r || r.status !== 200) r = await api("GET", "/api/session");
  if (r.status !== 200) throw new Error("no session: open the URL wlsimg ui printed");
  csrf = r.data.csrf;
}

function fill() {
  $("primary-tag").value = project.image?.primary?.tag ?? "";
  $("aux-tag").value = project.image?.aux?.tag ?? "";
  $("aux-push-user").value = project.image?.aux?.login?.user ?? "";
}

async function save() {
  project.image.primary.tag = $("primary-tag").value.trim();
  project.image.aux.tag = $("aux-tag").value.trim();
  project.image.aux.login = project.image.aux.login || {};
  project.image.aux.login.user = $("aux-push-user").value.trim();
  const r = await api("PUT", "/api/project", project);
  if (r.status === 200) project = r.data;
  $("project-label").textContent = "saved";
  return r;
}

function showValidation(list) {
  document.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
  let blocking = false;
  for (const v of list || []) {
    const el = $(`${v.field}-error`);
    if (el) el.textContent = v.message;
    if (v.severity !== "warning") blocking = true;
  }
  return blocking;
}

async function validate() {
  await save();
  const r = await api("POST", "/api/validate", { action: "createAuxImage" });
  const blocking = r.status === 200 && showValidation(r.data);
  $("btn-create-aux").disabled = blocking;
  $("btn-create-push").disabled = blocking;
}

function dialog(kind, title, message, buttons, digest) {
  const d = $("dlg");
  d.dataset.testid = kind;
  d.setAttribute("data-testid", kind);
  d.dataset.title = title;
  $("dlg-title").textContent = title;
  $("dlg-message").textContent = message || "";
  $("dlg-digest").textContent = digest || "";
  const box = $("dlg-buttons");
  box.replaceChildren();
  return new Promise((resolve) => {
    for (const b of buttons) {
      const el = document.createElement("button");
      el.textContent = b;
      el.dataset.testid = `dlg-btn-${b.toLowerCase()}`;
      el.addEventListener("click", () => { d.hidden = true; resolve(b); });
      box.append(el);
    }
    d.hidden = false;
    box.firstChild?.focus();
  });
}

function step(ev) {
  let li = document.querySelector(`#activity-steps [data-step-id="${ev.id}"]`);
  if (!li) {
    li = document.createElement("li");
    li.dataset.stepId = ev.id;
    $("activity-steps").append(li);
  }
  li.dataset.state = ev.state;
  li.textContent = ev.label;
}

function blob(ev) {
  let row = document.querySelector(`#activity-blobs [data-blob="${ev.digest}"]`);
  if (!row) {
    row = document.createElement("div");
    row.dataset.blob = ev.digest;
    $("activity-blobs").append(row);
  }
  row.dataset.event = ev.event;
  const pct = ev.total ? ` ${Math.round((100 * ev.done) / ev.total)}%` : "";
  row.textContent = `${ev.digest.slice(7, 19)}: ${ev.event}${pct}`;
}

function log(text) {
  const pre = $("activity-log");
  pre.textContent += `${text}\n`;
  pre.scrollTop = pre.scrollHeight;
}

function follow(id) {
  $("activity-steps").replaceChildren();
  $("activity-blobs").replaceChildren();
  $("activity-log").textContent = "";
  $("job-label").textContent = `job ${id} running`;
  return new Promise((resolve) => {
    const es = new EventSource(`/api/jobs/${id}/events?csrf=${encodeURIComponent(csrf)}`);
    const on = (name, fn) => es.addEventListener(name, (e) => fn(JSON.parse(e.data)));
    on("step", step);
    on("blob", blob);
    on("log", (ev) => log(ev.text));
    on("prompt", async (ev) => {
      const value = await dialog("dlg-prompt", ev.title, ev.question, ev.options);
      await api("POST", `/api/jobs/${id}/answer`, { prompt: ev.id, value });
    });
    on("result", async (ev) => {
      es.close();
      $("job-label").textContent = "";
      const err = ev.error ? ` (HTTP ${ev.error.status ?? "-"} ${ev.error.code ?? ""}: ${ev.error.hint ?? ""})` : "";
      await dialog("dlg-result", ev.title, (ev.message || "") + err, ["OK"], ev.digest);
      resolve(ev);
    });
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) resolve(null); };
  });
}

async function run(type) {
  await save();
  const params = {};
  const pw = $("aux-push-password").value;
  if (type !== "createAuxImage" && pw) {
    params.user = $("aux-push-user").value.trim();
    params.password = pw;
  }
  const r = await api("POST", "/api/jobs", { type, params });
  if (r.status === 422) {
    showValidation(r.data.validation);
    const lines = r.data.validation.map((v) => `${v.page} › ${v.tab}: ${v.message}`).join("\n");
    await dialog("dlg-validation", "Validation Errors", lines, ["OK"]);
    return;
  }
  if (r.status !== 202) {
    await dialog("dlg-result", "Error", r.data?.error?.message || `HTTP ${r.status}`, ["OK"]);
    return;
  }
  if (params.password) $("aux-push-password").value = ""; // the server has it now; it is never sent back
  await follow(r.data.id);
}

function wire() {
  document.querySelectorAll("#nav button").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll("#nav button").forEach((x) => x.classList.toggle("current", x === b));
    document.querySelectorAll("main > section").forEach((s) => { s.hidden = s.dataset.page !== b.dataset.page; });
    if (b.dataset.page === "jobs") listJobs();
  }));
  document.querySelectorAll(".tabs button").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll(".tabs button").forEach((x) => x.classList.toggle("current", x === b));
    document.querySelectorAll("#page-image > div[data-tab]").forEach((d) => { d.hidden = d.dataset.tab !== b.dataset.tab; });
  }));
  for (const id of ["aux-tag", "aux-push-user", "primary-tag"]) $(id).addEventListener("change", validate);
  $("btn-create-aux").addEventListener("click", () => run("createAuxImage"));
  $("btn-push-aux").addEventListener("click", () => run("pushAuxImage"));
  $("btn-create-push").addEventListener("click", () => run("createAndPush"));
}

async function listJobs() {
  const r = await api("GET", "/api/jobs");
  const ul = $("jobs-list");
  ul.replaceChildren();
  for (const j of r.data || []) {
    const li = document.createElement("li");
    li.textContent = `${j.id} ${j.type} ${j.state} ${j.result?.digest ?? ""}`;
    ul.append(li);
  }
}

async function main() {
  wire();
  try {
    await startSession();
    const r = await api("GET", "/api/project");
    project = r.data;
    fill();
    await validate();
  } catch (e) {
    await dialog("dlg-result", "wlsimg ui", String(e.message || e), ["OK"]);
  }
}

main();
