// Small DOM helpers and the page's dialogs (native <dialog>: focus stays inside, Esc closes).
export const $ = (id) => document.getElementById(id);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// el("button", {class: "x", dataset: {testid: "y"}, onclick: f}, "text", child...)
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "dataset") Object.assign(e.dataset, v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export const slug = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

// A modal dialog; resolves with the label of the button pressed (or "Close" on Esc).
// opts: {testid, title, body: Node|string, buttons: [label...], dflt, onOpen(dialog)}
export function dialog(opts) {
  const d = el("dialog", { "data-testid": opts.testid, "data-title": opts.title, "aria-labelledby": `${opts.testid}-title`, class: opts.wide ? "wide" : null });
  const body = typeof opts.body === "string" ? el("p", { class: "pre-line" }, opts.body) : opts.body;
  const buttons = el("div", { class: "actions" });
  d.append(el("h2", { id: `${opts.testid}-title` }, opts.title), body || "", buttons);
  document.body.append(d);
  return new Promise((resolve) => {
    let answer = "Close";
    for (const label of opts.buttons || ["Close"]) {
      const b = el("button", { type: "button", "data-testid": `dlg-btn-${slug(label)}`, class: label === opts.dflt ? "primary" : null, onclick: () => { answer = label; d.close(); } }, label);
      buttons.append(b);
    }
    d.addEventListener("close", () => { d.remove(); resolve(answer); });
    d.showModal();
    if (opts.onOpen) opts.onOpen(d);
    const focus = d.querySelector("[autofocus]") || buttons.querySelector(".primary") || buttons.firstChild;
    focus?.focus();
  });
}

// A short message at the top right that goes away by itself.
export function toast(text, kind = "info") {
  const t = el("div", { class: `toast ${kind}`, role: "status", "data-testid": "toast" }, text);
  $("toasts").append(t);
  setTimeout(() => t.remove(), 6000);
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // clipboard refused (permissions): fall back to a selection the browser copies
    const ta = el("textarea", { class: "offscreen" });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    document.execCommand("copy");
    ta.remove();
  }
  toast("Copied");
}

export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  const a = el("a", { href: url, download: name, class: "offscreen" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return "";
  const u = ["B", "KB", "MB", "GB"];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < u.length - 1) { v /= 1000; i++; }
  return `${i ? v.toFixed(1) : v} ${u[i]}`;
}

export const fmtTime = (t) => (t ? new Date(t * 1000).toLocaleString() : "");
