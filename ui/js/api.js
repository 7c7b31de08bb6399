// The JSON API of `wlsimg ui` (docs/internals/ui.md): the session handshake, then every call with the
// session cookie and the CSRF header.
let csrf = "";

export async function api(method, path, body) {
  const opts = { method, headers: { "X-Wlsimg-CSRF": csrf }, credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, opts);
  } catch (e) {
    return { status: 0, data: { error: { message: `the wlsimg ui server does not answer (${e.message})` } } };
  }
  const text = await resp.text();
  let data = text;
  if ((resp.headers.get("Content-Type") || "").startsWith("application/json")) {
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  }
  return { status: resp.status, data };
}

export const errorText = (r) => r.data?.error?.message || (typeof r.data === "string" && r.data) || `HTTP ${r.status}`;

// The one-time token of the printed URL is traded for the session, then removed from the address.
export async function startSession() {
  const m = /(?:^#|&)t=([0-9a-f]+)/.exec(location.hash);
  let r = null;
  if (m) {
    r = await api("POST", "/api/session", { token: m[1] });
    history.replaceState(null, "", location.pathname);
  }
  if (!r || r.status !== 200) r = await api("GET", "/api/session");
  if (r.status !== 200) throw new Error("No session: open the URL that wlsimg ui printed (its token works once).");
  csrf = r.data.csrf;
}

export const eventsURL = (id) => `/api/jobs/${encodeURIComponent(id)}/events?csrf=${encodeURIComponent(csrf)}`;
