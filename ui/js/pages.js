// The pages beyond the fields: the Model report, Registries (logins and the embedded registry),
// Kubernetes extras, Import WKT UI project…, the server-side file picker, and every Code View.
import { api, errorText } from "./api.js";
import { $, copyText, dialog, download, el, fmtBytes, fmtTime, slug, toast } from "./dom.js";
import { FIELDS, hostOf } from "./fields.js";
import { refresh } from "./controls.js";
import { saveNow, scheduleSave, state } from "./state.js";

// ---- the file picker (GET /api/fs) ----

export function browse(fieldId, onPick) {
  const list = el("ul", { class: "fs-list", "data-testid": "fs-list" });
  const where = el("p", { "data-testid": "fs-dir" });
  let d = null;
  const open = async (dir) => {
    const r = await api("GET", `/api/fs${dir ? `?dir=${encodeURIComponent(dir)}` : ""}`);
    if (r.status !== 200) { where.textContent = errorText(r); return; }
    where.textContent = r.data.dir;
    const items = [];
    if (r.data.parent) items.push(el("li", {}, el("button", { type: "button", class: "link", onclick: () => open(r.data.parent) }, "⬑ ..")));
    for (const e of r.data.entries) {
      const full = `${r.data.dir}/${e.name}`.replace("//", "/");
      items.push(el("li", {}, e.dir
        ? el("button", { type: "button", class: "link", "data-testid": `fs-dir-${slug(e.name)}`, onclick: () => open(full) }, `📁 ${e.name}/`)
        : el("button", { type: "button", class: "link", "data-testid": `fs-file-${slug(e.name)}`, onclick: () => { d.close(); onPick(relative(full)); } }, `${e.name} (${fmtBytes(e.size)})`)));
    }
    list.replaceChildren(...items);
  };
  open("");
  return dialog({ testid: "dlg-browse", title: `Choose a file for ${FIELDS[fieldId]?.label || fieldId}`, body: el("div", {}, where, list), buttons: ["Cancel"], onOpen: (x) => { d = x; } });
}

// A path below the project's directory is kept relative to it.
function relative(path) {
  const dir = state.info.projectFile.replace(/\/[^/]*$/, "/");
  return path.startsWith(dir) ? path.slice(dir.length) : path;
}

// ---- Model ----

export async function renderModel() {
  const r = await api("GET", "/api/model");
  if (r.status !== 200) return;
  state.modelReport = r.data;
  const rep = r.data;
  const files = $("model-report-files").tBodies[0];
  files.replaceChildren(...rep.files.map((f) => el("tr", { "data-kind": f.kind, "data-ok": String(f.ok) },
    el("td", {}, f.kind), el("td", {}, el("code", {}, f.path)), el("td", {}, f.exists ? fmtBytes(f.size) : "missing"),
    el("td", { class: f.ok ? "ok" : "error" }, f.ok ? (f.kind === "model" ? "YAML ok" : f.kind === "variables" ? `${f.count} variables` : `${f.count} entries`) : f.message || "error"))));
  const vars = $("model-variables").tBodies[0];
  vars.replaceChildren(...rep.variables.map((v) => el("tr", {}, el("td", {}, el("code", {}, v.key)), el("td", {}, v.value), el("td", {}, v.file))));
  if (!rep.variables.length) vars.append(el("tr", {}, el("td", { colspan: "3", class: "empty" }, "no variables")));
  const tokens = $("model-tokens");
  tokens.replaceChildren(
    ...rep.props.map((p) => el("li", { class: p.defined ? "" : "warning" }, el("code", {}, `@@PROP:${p.name}@@`), p.defined ? " defined" : " not defined in any variable file")),
    ...rep.secrets.map((s) => el("li", { "data-testid": `model-secret-${slug(s.name)}-${slug(s.key)}` }, el("code", {}, s.token),
      s.builtin ? " → the Domain's WebLogic Credentials Secret" : [" → Kubernetes secret ", el("code", {}, s.name), ", key ", el("code", {}, s.key)])),
    ...rep.archiveRefs.map((a) => el("li", { class: a.found ? "" : "warning" }, el("code", {}, a.path), a.found ? " found in the archive" : " not in any archive")));
  if (!tokens.childNodes.length) tokens.append(el("li", { class: "empty" }, "no @@PROP@@ or @@SECRET@@ tokens, no wlsdeploy/ paths"));
  // the secrets the Domain must give the model (names resolved) become the Kubernetes page's inputs
  const names = (rep.domainSecrets || []).flatMap((s) => s.keys.map((k) => `${s.name}:${k}`));
  if (rep.domainSecrets && JSON.stringify(names) !== JSON.stringify(state.project.k8s.modelSecrets)) {
    state.project.k8s.modelSecrets = names;
    scheduleSave();
  }
  renderModelSecrets();
}

export function renderModelSecrets() {
  const box = $("model-secrets");
  if (!box) return;
  const names = state.project.k8s.modelSecrets || [];
  box.replaceChildren(...names.map((n) => {
    const id = `model-secret-value-${slug(n)}`;
    const input = el("input", { id, type: "password", autocomplete: "off", "data-testid": id, oninput: (e) => { state.modelSecretValues[n] = e.target.value; } });
    input.value = state.modelSecretValues[n] || "";
    return el("div", { class: "secret-row" }, el("label", { for: id }, el("code", {}, n)), input);
  }));
  if (!names.length) box.append(el("p", { class: "help" }, state.project.k8s.domainUid ? "The model reads no secret besides the WebLogic credentials." : "Set the Domain UID to see the secrets the model reads."));
}

// ---- Registries ----

export async function renderRegistries() {
  const r = await api("GET", "/api/registries");
  const tb = $("registries-table").tBodies[0];
  tb.replaceChildren();
  for (const l of r.data || []) {
    const cell = el("td", { "data-testid": `reg-test-result-${slug(l.host)}` }, l.lastTest ? `${l.lastTest.ok ? "✓" : "✗"} ${fmtTime(l.lastTest.time)}: ${l.lastTest.message}` : "never");
    tb.append(el("tr", { "data-host": l.host },
      el("td", {}, l.name || ""), el("td", {}, el("code", {}, l.host)), el("td", {}, l.user || "—"), el("td", {}, l.email || ""),
      el("td", {}, l.stored ? l.where : "not stored"), cell,
      el("td", { class: "row-actions" },
        el("button", { type: "button", class: "secondary small", "data-testid": `reg-test-${slug(l.host)}`, disabled: !l.stored, onclick: () => testLogin(l.host, {}, cell) }, "Test Login"), " ",
        el("button", { type: "button", class: "secondary small", "data-testid": `reg-logout-${slug(l.host)}`, disabled: !l.stored, onclick: () => logout(l.host) }, "Log Out"), " ",
        el("button", { type: "button", class: "secondary small danger", "data-testid": `reg-delete-${slug(l.host)}`, onclick: () => removeRow(l.host) }, "Delete"))));
  }
  if (!tb.rows.length) tb.append(el("tr", {}, el("td", { colspan: "7", class: "empty" }, "No saved logins yet: push once with Remember this login, or Add login.")));
  renderEmbedded();
}

// Test Login: the token flow with push rights asked on the repository of the tag (when the tag is
// on this host); the answer goes into `out`.
export async function testLogin(host, body, out) {
  out.textContent = "Testing…";
  const r = await api("POST", `/api/credentials/${encodeURIComponent(host)}/test`, body);
  out.replaceChildren();
  if (r.status === 200) {
    out.append(el("span", { class: "ok" }, r.data.message));
    if (r.data.tag?.warning) out.append(el("br"), el("span", { class: "warning", "data-testid": "repush-warning" }, r.data.tag.warning));
    else if (r.data.tag?.exists) out.append(el("br"), el("span", {}, `${r.data.tag.ref} is in the registry (${r.data.tag.digest}).`));
  } else {
    const e = r.data?.error || {};
    out.append(el("span", { class: "error" }, `${e.status ? `HTTP ${e.status} ` : ""}${e.code || ""} ${e.message || errorText(r)}`), e.hint ? el("br") : "", e.hint ? el("span", { class: "hint" }, e.hint) : "");
  }
  if ($("page-registries").hidden === false) setTimeout(renderRegistries, 0);
}

async function logout(host) {
  const r = await api("DELETE", `/api/credentials/${encodeURIComponent(host)}`);
  toast(r.status === 200 ? `Logged out of ${host}` : errorText(r), r.status === 200 ? "info" : "error");
  renderRegistries();
}

async function removeRow(host) {
  const a = await dialog({ testid: "dlg-confirm", title: "Delete login", body: `Remove ${host} from this list and log out of it?`, buttons: ["Delete", "Cancel"], dflt: "Cancel" });
  if (a !== "Delete") return;
  const r = await api("DELETE", `/api/registries/${encodeURIComponent(host)}`);
  if (r.status !== 200) toast(errorText(r), "error");
  renderRegistries();
}

export async function addLogin() {
  const f = (id, label, type = "text", extra = {}) => el("div", { class: "field" }, el("label", { for: id }, label), el("input", { id, "data-testid": id, type, autocomplete: type === "password" ? "new-password" : "off", ...extra }));
  const err = el("p", { class: "field-error", "data-testid": "reg-add-error" });
  const where = el("select", { id: "reg-where", "data-testid": "reg-where" }, el("option", { value: "loginFile" }, "Registry login file"), el("option", { value: "session" }, "This session only"));
  where.value = state.project.project.secretPolicy;
  const body = el("form", { class: "form" }, f("reg-host", "Registry Host", "text", { placeholder: "lhr.ocir.io or 127.0.0.1:5000" }),
    f("reg-user", "User Name"), f("reg-password", "Password or Token", "password"), f("reg-email", "Email Address"), f("reg-name", "Name"),
    el("div", { class: "field" }, el("label", { for: "reg-where" }, "Stored in"), where), err);
  let d = null;
  const submit = async (e) => {
    e?.preventDefault();
    err.textContent = "Logging in…";
    const v = (id) => $(id).value.trim();
    const r = await api("POST", "/api/credentials", { host: v("reg-host"), user: v("reg-user"), password: $("reg-password").value, email: v("reg-email"), name: v("reg-name"), where: where.value, verify: true });
    if (r.status === 201) { d.close(); toast(`Login saved for ${r.data.host}`); renderRegistries(); return; }
    const e2 = r.data?.error || {};
    err.textContent = `${e2.status ? `HTTP ${e2.status} ` : ""}${e2.code && e2.status ? `${e2.code}: ` : ""}${e2.message || errorText(r)}${e2.hint ? ` — ${e2.hint}` : ""}`;
  };
  body.addEventListener("submit", submit);
  const add = el("button", { type: "submit", class: "primary", "data-testid": "btn-reg-save" }, "Log in and save");
  body.append(el("div", { class: "actions" }, add));
  await dialog({ testid: "dlg-add-login", title: "Add login", body, buttons: ["Cancel"], onOpen: (x) => { d = x; $("reg-host").focus(); } });
}

async function renderEmbedded() {
  const r = await api("GET", "/api/embedded");
  const box = $("embedded");
  if (r.status !== 200) { box.textContent = errorText(r); return; }
  const e = r.data;
  $("emb-status").textContent = e.reachable ? `wlsimg registry serve answers on ${e.url}` : `Nothing answers on ${e.url} (${e.error || "not reachable"}). Start it with: wlsimg registry serve --listen ${e.url} --auth token`;
  $("emb-status").dataset.reachable = String(e.reachable);
  $("emb-manage").hidden = !e.reachable;
  const users = $("emb-users");
  users.replaceChildren(...e.users.map((u) => el("li", {}, el("code", {}, u), " ",
    el("span", { class: "help" }, `${e.tokens.filter((t) => t.user === u).length} token(s)`), " ",
    el("button", { type: "button", class: "secondary small", "data-testid": `emb-token-${slug(u)}`, onclick: () => createToken(u, e.url) }, "Create token"))));
  if (!e.users.length) users.append(el("li", { class: "empty" }, "no users yet"));
}

export async function addEmbeddedUser() {
  const user = $("emb-user").value.trim();
  const r = await api("POST", "/api/embedded/users", { user });
  if (r.status !== 201) { $("emb-user-error").textContent = errorText(r); return; }
  $("emb-user-error").textContent = "";
  $("emb-user").value = "";
  renderEmbedded();
}

async function createToken(user, url) {
  const save = $("emb-save-login").checked;
  const r = await api("POST", "/api/embedded/tokens", { user, save, where: state.project.project.secretPolicy });
  if (r.status !== 201) { toast(errorText(r), "error"); return; }
  const token = el("code", { "data-testid": "emb-token-value", class: "token" }, r.data.token);
  const body = el("div", {}, el("p", {}, `Auth token ${r.data.id} for ${user}:`), token,
    el("p", { class: "warning" }, "This token will not be shown again."),
    r.data.saved ? el("p", {}, `Saved as the login for ${hostOf(`${url}/x`)} (${r.data.saved}).`) : null);
  await dialog({ testid: "dlg-token", title: "Create token", body, buttons: ["Copy", "Close"], onOpen: () => {} }).then((a) => { if (a === "Copy") copyText(r.data.token); });
  token.textContent = "";
  renderRegistries();
}

export function useEmbedded(goTo) {
  const ns = $("emb-ns").value.trim();
  const repo = $("emb-repo").value.trim();
  const tag = $("emb-tag").value.trim();
  if (!ns || !repo || !tag) { $("emb-use-error").textContent = "Namespace, repository and tag are all needed."; return; }
  $("emb-use-error").textContent = "";
  state.project.image.aux.tag = `${state.project.registry.url}/${ns}/${repo}:${tag}`;
  refresh();
  scheduleSave();
  goTo("image", "aux", "aux-tag");
}

// ---- Kubernetes ----

export async function loadContexts() {
  const r = await api("GET", "/api/k8s/contexts");
  const sel = $("k8s-context");
  const data = r.data || { contexts: [] };
  const cur = state.project.k8s.context || data.current || "";
  const names = [...new Set([...(data.contexts || []), ...(cur ? [cur] : [])])];
  sel.replaceChildren(el("option", { value: "" }, data.current ? `(kubectl's current: ${data.current})` : "(none)"), ...names.map((c) => el("option", { value: c }, c)));
  sel.value = state.project.k8s.context || "";
  $("k8s-context-help").textContent = data.error ? `kubectl: ${data.error}` : "Passed as --context; your kubeconfig is never changed.";
}

// ---- Import WKT UI project… ----

export async function importWkt(refresh) {
  const path = el("input", { id: "wkt-path", "data-testid": "wkt-path", type: "text", autocomplete: "off" });
  const pass = el("input", { id: "wkt-passphrase", "data-testid": "wkt-passphrase", type: "password", autocomplete: "off" });
  const out = el("div", { "data-testid": "wkt-preview" });
  const body = el("div", { class: "form" },
    el("div", { class: "field" }, el("label", { for: "wkt-path" }, "WKT UI project file (.wktproj)"), el("div", { class: "with-button" }, path,
      el("button", { type: "button", class: "secondary", onclick: () => browse("wkt-path", (p) => { path.value = p; }) }, "Browse…"))),
    el("div", { class: "field" }, el("label", { for: "wkt-passphrase" }, "Passphrase (when its credentials are encrypted)"), pass,
      el("p", { class: "help" }, "Used to read the project only; wlsimg never stores it.")),
    el("div", { class: "actions" }, el("button", { type: "button", class: "secondary", "data-testid": "btn-wkt-preview", onclick: () => run(false) }, "Preview")),
    out);
  let preview = null;
  const run = async (apply) => {
    const logins = apply ? [...out.querySelectorAll("input[data-login]:checked")].map((i) => i.dataset.login) : undefined;
    const r = await api("POST", "/api/import/wktproj", { path: path.value.trim(), passphrase: pass.value || undefined, apply, logins, where: state.project.project.secretPolicy });
    if (r.status !== 200) { out.replaceChildren(el("p", { class: "error" }, errorText(r))); return null; }
    preview = r.data;
    out.replaceChildren(el("ul", {}, ...r.data.notes.map((n) => el("li", {}, n))),
      ...(r.data.logins.length ? [el("p", {}, "Save these registry logins:"), el("ul", {}, ...r.data.logins.map((l) => {
        const id = `wkt-login-${slug(l.name)}`;
        return el("li", {}, el("input", { type: "checkbox", id, "data-login": l.name, "data-testid": id, checked: l.hasPassword, disabled: !l.hasPassword }),
          el("label", { for: id }, ` ${l.name}: ${l.user} @ ${l.host}${l.saved ? ` — saved (${l.saved})` : ""}${l.error ? ` — ${l.error}` : ""}${l.hasPassword ? "" : " (no password stored)"}`));
      }))] : []));
    return r.data;
  };
  const a = await dialog({ testid: "dlg-import", title: "Import WKT UI project", body, buttons: ["Import", "Cancel"], wide: true });
  if (a === "Import") {
    const res = await run(true);
    if (res) {
      await refresh();
      await dialog({ testid: "dlg-result", title: "Import Complete", body: el("ul", {}, ...res.notes.map((n) => el("li", {}, n)),
        ...res.logins.filter((l) => l.saved).map((l) => el("li", {}, `Login ${l.name} saved for ${l.host} (${l.saved})`))), buttons: ["Close"] });
    }
  }
  return preview;
}

// ---- Code View ----

function block(name, title, text, extra = []) {
  const pre = el("pre", { class: "code", "data-testid": `code-${name}-text`, tabindex: "0" }, text);
  return el("figure", { class: "codeblock", "data-testid": `code-${name}` },
    el("figcaption", {}, el("span", {}, title), ...extra,
      el("button", { type: "button", class: "secondary small", "data-testid": `btn-copy-${name}`, onclick: () => copyText(pre.textContent) }, "Copy"),
      el("button", { type: "button", class: "secondary small", "data-testid": `btn-download-${name}`, onclick: () => download(name === "dockerfile" ? "Dockerfile" : `${name}${name.includes("yaml") ? ".yaml" : name === "project" ? ".json" : ".sh"}`, pre.textContent) }, "Download")),
    pre);
}

async function text(kind, q = "") {
  const r = await api("GET", `/api/render/${kind}${q}`);
  return r.status === 200 ? r.data : `# ${errorText(r)}`;
}

export async function renderCode(page) {
  await saveNow();
  const box = document.querySelector(`#page-${page} .code-view`);
  const blocks = [];
  if (page === "project") blocks.push(block("project", "wlsimg-project.json", await text("project")));
  if (page === "image") {
    const fmt = $("code-format")?.value || "cli";
    const sel = el("select", { id: "code-format", "data-testid": "code-format", "aria-label": "Format", onchange: () => renderCode("image") },
      el("option", { value: "cli" }, "wlsimg"), el("option", { value: "wit" }, "WIT + docker"));
    sel.value = fmt;
    blocks.push(el("p", { class: "help" }, "The commands the Create and Push jobs run, with $TOKEN for the password."), el("div", { class: "field" }, el("label", { for: "code-format" }, "Format"), sel));
    if (state.project.image.primary.create.enabled) {
      const kind = fmt === "wit" ? "primary-wit" : "primary-cli";
      blocks.push(block(kind, fmt === "wit" ? "Primary image: WebLogic Image Tool and docker" : "Primary image: wlsimg create", await text(kind)));
    }
    if (state.primaryDockerfile) blocks.push(block("dockerfile", "Dockerfile of the primary image (WIT's, as Preview Dockerfile and Create run it)", state.primaryDockerfile));
    blocks.push(block(fmt === "wit" ? "wit" : "cli", fmt === "wit" ? "Auxiliary image: WebLogic Image Tool and docker" : "Auxiliary image: wlsimg", await text(fmt)));
  }
  if (page === "model") {
    const p = state.project.model;
    for (const [i, f] of p.files.entries()) {
      const r = await api("GET", `/api/model/file?kind=model&index=${i}`);
      blocks.push(block(`model-${i}`, f, r.status === 200 ? r.data : errorText(r)));
    }
    for (const [i, f] of p.variables.entries()) {
      const r = await api("GET", `/api/model/file?kind=variables&index=${i}`);
      blocks.push(block(`variables-${i}`, f, r.status === 200 ? r.data : errorText(r)));
    }
    for (const [i, f] of p.archives.entries()) {
      const r = await api("GET", `/api/model/archive?index=${i}`);
      const lines = r.status === 200 ? r.data.entries.map((e) => `${e.dir ? "" : String(e.size).padStart(10)} ${e.name}`).join("\n") + (r.data.truncated ? "\n…" : "") : errorText(r);
      blocks.push(block(`archive-${i}`, `${f} (entries)`, lines));
    }
    if (!blocks.length) blocks.push(el("p", { class: "empty" }, "No model files yet."));
  }
  if (page === "registries") blocks.push(el("p", { class: "help" }, "$TOKEN stands for each password or auth token."), block("logins", "wlsimg login and registry commands", await text("logins")));
  if (page === "k8s") {
    const reveal = el("button", { type: "button", class: "secondary small", "data-testid": "btn-reveal-secret", onclick: () => revealSecret() }, "Reveal");
    blocks.push(block("secret-yaml", "Pull secret (from the push login)", await text("secret-yaml"), [reveal]),
      block("k8s-cli", "wlsimg k8s", await text("k8s-cli")),
      block("domain-yaml", "Domain and Cluster resources", await text("domain-yaml")),
      block("kubectl", "kubectl (objects on stdin)", await text("kubectl")));
  }
  if (page === "jobs") {
    const j = state.jobLog;
    blocks.push(el("h2", { id: "job-log-title", "data-testid": "job-log-title" }, j ? `Log of job ${j.id}` : "Job log"),
      block("job-log", "Log (passwords shown as ***)", j ? j.text : "Choose a job on the Design View (Log)."));
  }
  box.replaceChildren(...blocks);
}

async function revealSecret() {
  const a = await dialog({ testid: "dlg-confirm", title: "Reveal the pull secret", body: "The Secret's data holds the registry password (base64). Show it this once?", buttons: ["Reveal", "Cancel"], dflt: "Cancel" });
  if (a !== "Reveal") return;
  document.querySelector('[data-testid="code-secret-yaml-text"]').textContent = await text("secret-yaml", "?reveal=1");
}
