// Jobs: the docked Activity panel (steps, one row per layer, the log), the event stream of a job
// (replayed from the start after a reload), prompts, result dialogs, and the Jobs page.
import { api, errorText, eventsURL } from "./api.js";
import { $, copyText, dialog, el, fmtBytes, fmtTime, slug, toast } from "./dom.js";
import { state } from "./state.js";

const TITLES = {
  createAuxImage: "Create Auxiliary Image", pushAuxImage: "Push Auxiliary Image", createAndPush: "Create and Push",
  checkImage: "Check in Registry", checkModel: "Check Model", pullSecret: "Create Pull Secret",
  createPrimary: "Create Primary Image", createPrimaryImage: "Create Primary Image", pushPrimaryImage: "Push Primary Image",
  domainApply: "Apply with kubectl", domainStatus: "Get Domain Status",
};
const MAX_LOG_LINES = 2000;

// Timestamps of the blob events as they arrive (bench/ui.sh reads the rate from them).
window.wlsimgStats = { blobTimes: [], marks: {} };
const mark = (name) => { window.wlsimgStats.marks[name] = performance.now(); };

let es = null;
let hooks = { done: () => {}, goTo: () => {} };
export const setJobHooks = (h) => { hooks = { ...hooks, ...h }; };

function activityReset(id, type) {
  $("activity").hidden = false;
  $("activity").dataset.job = id;
  $("activity").dataset.state = "running";
  $("activity-title").textContent = `${TITLES[type] || type} (${id})`;
  $("activity-steps").replaceChildren();
  $("activity-blobs").replaceChildren();
  $("activity-log").replaceChildren();
  $("btn-cancel-job").hidden = false;
  $("activity-body").hidden = false;
  $("btn-activity-toggle").setAttribute("aria-expanded", "true");
}

function onStep(ev) {
  let li = document.querySelector(`#activity-steps [data-step-id="${CSS.escape(ev.id)}"]`);
  if (ev.id === "current") li = $("activity-steps").querySelector('[data-state="running"]');
  if (!li) {
    li = el("li", { "data-step-id": ev.id });
    $("activity-steps").append(li);
  }
  li.dataset.state = ev.state;
  const secs = ev.state === "running" ? "" : ` (${(ev.elapsed_ms / 1000).toFixed(1)} s)`;
  li.textContent = `${ev.label}${secs}`;
}

function onBlob(ev) {
  window.wlsimgStats.blobTimes.push(performance.now());
  const id = ev.digest || "manifest";
  let row = document.querySelector(`#activity-blobs [data-blob="${CSS.escape(id)}"]`);
  if (!row) {
    row = el("div", { class: "blob", "data-blob": id },
      el("code", {}, id.startsWith("sha256:") ? id.slice(7, 19) : id), el("span", { class: "state" }),
      el("progress", { max: "100", value: "0" }), el("span", { class: "bytes" }));
    $("activity-blobs").append(row);
  }
  row.dataset.event = ev.event;
  const words = { waiting: "Waiting", start: "Uploading", bytes: "Uploading", exists: "Layer already exists", mounted: `Mounted from ${ev.message || "another repository"}`, retry: `Retrying: ${ev.message || ""}`, done: ev.kind === "manifest" ? "Manifest written" : "Pushed" };
  row.querySelector(".state").textContent = words[ev.event] || ev.event;
  const pct = ev.total ? Math.round((100 * ev.done) / ev.total) : ev.event === "done" || ev.event === "exists" ? 100 : 0;
  row.querySelector("progress").value = ev.event === "exists" || ev.event === "mounted" || ev.event === "done" ? 100 : pct;
  row.querySelector(".bytes").textContent = ev.total ? `${fmtBytes(ev.done)} / ${fmtBytes(ev.total)}` : "";
}

function onLog(ev) {
  const pre = $("activity-log");
  pre.append(el("div", { class: ev.stream === "err" ? "err" : null }, ev.text));
  while (pre.childNodes.length > MAX_LOG_LINES) pre.firstChild.remove();
  pre.scrollTop = pre.scrollHeight;
}

async function onPrompt(id, ev) {
  const value = await dialog({ testid: "dlg-prompt", title: ev.title, body: ev.question, buttons: ev.options, dflt: ev.default });
  const r = await api("POST", `/api/jobs/${id}/answer`, { prompt: ev.id, value: ev.options.includes(value) ? value : ev.default });
  if (r.status !== 200) toast(errorText(r), "error");
}

function resultBody(ev) {
  const body = el("div", { class: "result" }, el("p", { "data-testid": "dlg-message" }, ev.message || ""));
  if (ev.digest) body.append(el("p", {}, "Digest ", el("code", { "data-testid": "dlg-digest" }, ev.digest)));
  if (ev.pinned) body.append(el("p", {}, "Pinned reference ", el("code", { "data-testid": "dlg-pinned" }, ev.pinned), " ",
    el("button", { type: "button", class: "secondary small", "data-testid": "btn-copy-pinned", onclick: () => copyText(ev.pinned) }, "Copy")));
  if (ev.error) {
    const e = ev.error;
    body.append(el("dl", { class: "error-detail", "data-testid": "dlg-error" },
      el("dt", {}, "Registry status"), el("dd", { "data-testid": "dlg-error-status" }, e.status ? `HTTP ${e.status}` : "no answer"),
      el("dt", {}, "Error code"), el("dd", { "data-testid": "dlg-error-code" }, e.code || "—"),
      el("dt", {}, "Message"), el("dd", {}, e.message || ""),
      e.hint ? el("dt", {}, "Hint") : null, e.hint ? el("dd", { "data-testid": "dlg-error-hint" }, e.hint) : null));
  }
  if (ev.summary && ev.conditions) body.append(el("p", { "data-testid": "dlg-domain-state", "data-state": ev.state }, ev.summary),
    el("ul", {}, ...(ev.servers || []).map((s) => el("li", {}, `${s.name}: ${s.state} ${s.health || ""}`)),
      ...(ev.pods || []).map((p) => el("li", {}, `pod ${p.name}: ${p.phase}${p.ready ? ", ready" : ""}`))));
  if (ev.objects?.length) body.append(el("ul", { "data-testid": "dlg-objects" }, ...ev.objects.map((o) => el("li", {}, el("code", {}, o)))));
  if (ev.findings?.length) body.append(el("ul", { class: "findings" }, ...ev.findings.map((f) => el("li", { class: f.severity }, f.message))));
  if (ev.yaml) body.append(el("pre", { class: "code" }, ev.yaml));
  return body;
}

async function onResult(id, type, ev) {
  mark("result");
  window.wlsimgStats.jobMs = ev.duration_ms;
  es?.close();
  es = null;
  $("activity").dataset.state = ev.ok ? "done" : "failed";
  $("btn-cancel-job").hidden = true;
  state.job = null;
  $("job-label").hidden = true;
  if (ev.dockerfile !== undefined) state.primaryDockerfile = ev.dockerfile;
  const after = hooks.done(type, ev); // the page's state after the job (the store, logins, findings)
  if (ev.ok && ev.dockerfile !== undefined && !ev.digest) {
    // Preview Dockerfile: the Dockerfile goes to the Image page's Code View
    hooks.goTo("image", "primary", null, true);
    toast(ev.message);
    return;
  }
  let buttons = ["Close"];
  if (ev.ok && ev.next?.includes("pushAuxImage")) buttons = ["Push Auxiliary Image", "Copy digest", "Close"];
  else if (ev.ok && ev.next?.includes("pushPrimaryImage")) buttons = ["Push Primary Image", "Copy digest", "Close"];
  else if (ev.ok && ev.next?.includes("pullSecret")) buttons = ["Create Pull Secret…", "Domain YAML…", "Close"];
  else if (!ev.ok) buttons = ["Show log", "Close"];
  const shown = dialog({ testid: "dlg-result", title: ev.title, body: resultBody(ev), buttons, dflt: "Close", wide: true });
  mark("dialog");
  const answer = await shown;
  if (answer === "Push Auxiliary Image" || answer === "Push Primary Image") await after; // Push needs the image in the store
  if (answer === "Push Auxiliary Image") $("btn-push-aux").click();
  else if (answer === "Push Primary Image") $("btn-push-primary").click();
  else if (answer === "Copy digest") copyText(ev.digest);
  else if (answer === "Create Pull Secret…") hooks.goTo("k8s", "secrets", "pull-secret-aux");
  else if (answer === "Domain YAML…") hooks.goTo("k8s", "domain", null, true);
  else if (answer === "Show log") showLog(id);
}

// Follow a job's event stream; a reload replays it from the start.
export function follow(id, type) {
  es?.close();
  activityReset(id, type);
  state.job = { id, type };
  $("job-label").hidden = false;
  $("job-label").textContent = `${TITLES[type] || type} running…`;
  es = new EventSource(eventsURL(id));
  es.onopen = () => mark("stream");
  const on = (name, fn) => es.addEventListener(name, (e) => fn(JSON.parse(e.data)));
  on("step", onStep);
  on("blob", onBlob);
  on("log", onLog);
  on("prompt", (ev) => onPrompt(id, ev));
  on("result", (ev) => onResult(id, type, ev));
  es.onerror = () => {
    if (es && es.readyState === EventSource.CLOSED) {
      es = null;
      $("activity").dataset.state = "disconnected";
    }
  };
}

// Start a job; the validation answer (422) and a running job (409) are handled here.
export async function startJob(type, params, onInvalid) {
  mark("post");
  const r = await api("POST", "/api/jobs", { type, params });
  mark("posted");
  if (r.status === 422) return onInvalid(r.data.validation);
  if (r.status === 409) {
    const run = r.data.running;
    const a = await dialog({ testid: "dlg-busy", title: `${TITLES[run.type] || run.type} is still running`, body: "Only one job runs at a time.", buttons: ["Open it", "Close"] });
    if (a === "Open it") follow(run.id, run.type);
    return null;
  }
  if (r.status !== 202) {
    await dialog({ testid: "dlg-result", title: `${TITLES[type] || type} Failed`, body: errorText(r), buttons: ["Close"] });
    return null;
  }
  follow(r.data.id, type);
  return r.data.id;
}

export async function cancelJob() {
  if (!state.job) return;
  const r = await api("POST", `/api/jobs/${state.job.id}/cancel`);
  if (r.status !== 202) toast(errorText(r), "error");
}

const showLog = (id) => selectJob(id);

// A job's log (already redacted by the server) in the Jobs page's Code View.
async function selectJob(id) {
  const r = await api("GET", `/api/jobs/${id}/log`);
  state.jobLog = { id, text: r.status === 200 ? r.data || "(empty)" : errorText(r) };
  hooks.goTo("jobs", null, null, true);
}

// The Jobs page: this server's jobs (newest first) and the project's history of results.
export async function renderJobs() {
  const r = await api("GET", "/api/jobs");
  const tb = $("jobs-table").tBodies[0];
  tb.replaceChildren();
  for (const j of r.data || []) {
    const dur = j.ended ? `${j.ended - j.started} s` : "running";
    tb.append(el("tr", { "data-job": j.id, "data-state": j.state },
      el("td", {}, j.id), el("td", {}, TITLES[j.type] || j.type), el("td", { class: `state-${j.state}` }, j.state),
      el("td", {}, fmtTime(j.started)), el("td", {}, dur), el("td", {}, j.result?.title || ""),
      el("td", {}, j.result?.digest ? el("code", {}, j.result.digest.slice(0, 19)) : ""),
      el("td", {}, el("button", { type: "button", class: "secondary small", "data-testid": `job-log-${j.id}`, onclick: () => selectJob(j.id) }, "Log"),
        " ", el("button", { type: "button", class: "secondary small", "data-testid": `job-replay-${j.id}`, onclick: () => follow(j.id, j.type) }, "Replay"))));
  }
  if (!tb.rows.length) tb.append(el("tr", {}, el("td", { colspan: "8", class: "empty" }, "No jobs yet in this server.")));
  const hb = $("history-table").tBodies[0];
  hb.replaceChildren(...(state.project.history || []).map((h) => el("tr", {},
    el("td", {}, fmtTime(h.time)), el("td", {}, TITLES[h.kind] || h.kind), el("td", {}, el("code", {}, h.ref)),
    el("td", {}, el("code", { title: h.digest }, h.digest)), el("td", {}, h.host))));
  if (!hb.rows.length) hb.append(el("tr", {}, el("td", { colspan: "5", class: "empty" }, "Nothing built or pushed yet.")));
}

// After a reload: follow the job that is still running.
export async function resumeRunning() {
  const r = await api("GET", "/api/jobs");
  const running = (r.data || []).find((j) => j.state === "running");
  if (running) follow(running.id, running.type);
}

export { TITLES, slug };
