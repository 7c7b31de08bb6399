#!/usr/bin/env python3
"""Drive `wlsimg ui` in Debian's headless Chromium (python3-selenium + chromedriver) through the lab's flow
and the page's other screens. Prints one KEY=VALUE line per observation for tests/integration/71_ui_browser.sh
to check, and keeps a screenshot of each step in OUTDIR.

usage: lab_flow.py URL TAG USER PASSWORD_FILE OUTDIR DOWN_TAG BASE PRIMARY_TAG ENGINE

  TAG          the aux image tag on the test registry (its tenancy namespace is the user's)
  DOWN_TAG     a tag on a port where nothing listens (the "registry is down" case)
  BASE         the primary image's base (--fromImage) in the store
  PRIMARY_TAG  the primary image to create (on the test registry)
  ENGINE       the container engine for the create, or "none" for the Dockerfile preview only
"""
import json
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


class Page:
    def __init__(self, drv, outdir):
        self.drv = drv
        self.outdir = outdir
        self.wait = WebDriverWait(drv, 60, ignored_exceptions=[StaleElementReferenceException])
        self.shot_no = 0

    def tid(self, t):
        return (By.CSS_SELECTOR, f'[data-testid="{t}"]')

    def find(self, t):
        return self.drv.find_element(*self.tid(t))

    def click(self, t):
        for attempt in range(5):  # a table the page re-renders may replace the element under us
            try:
                el = self.wait.until(EC.element_to_be_clickable(self.tid(t)))
                el.click()
                return el
            except StaleElementReferenceException:
                if attempt == 4:
                    raise
                time.sleep(0.1)
        return None

    def fill(self, t, value):
        el = self.wait.until(EC.visibility_of_element_located(self.tid(t)))
        el.clear()
        el.send_keys(value)
        el.send_keys(Keys.TAB)  # the change event; the page saves and validates
        return el

    def settle(self):
        """Wait until the page has saved and validated what was typed."""
        self.wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-busy") == "0"
                        and self.find("save-state").text == "saved")

    def dialog(self, testid, title=None):
        sel = f'dialog[data-testid="{testid}"][open]' + (f'[data-title="{title}"]' if title else "")
        return self.wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, sel)))

    def answer(self, dlg, label):
        dlg.find_element(By.CSS_SELECTOR, f'[data-testid="dlg-btn-{label}"]').click()
        self.wait.until(EC.staleness_of(dlg))

    def shot(self, name):
        self.shot_no += 1
        self.drv.save_screenshot(f"{self.outdir}/{self.shot_no:02d}-{name}.png")

    def result(self, key):
        """Wait for the job's result dialog; answer No to the lab's prompt if it comes first."""
        deadline = time.time() + 90
        while time.time() < deadline:
            prompts = self.drv.find_elements(By.CSS_SELECTOR, 'dialog[data-testid="dlg-prompt"][open]')
            if prompts:
                print(f"{key}_prompt={prompts[0].get_attribute('data-title')}")
                self.answer(prompts[0], "no")
            done = self.drv.find_elements(By.CSS_SELECTOR, 'dialog[data-testid="dlg-result"][open]')
            if done:
                return done[0]
            time.sleep(0.1)
        raise TimeoutException(f"no result dialog for {key}")

    def text(self, dlg, testid):
        els = dlg.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')
        return els[0].text.replace("\n", " ") if els else ""


def out(key, value):
    print(f"{key}={value}")
    sys.stdout.flush()


def lab(p, tag, user, password, down_tag):
    d = p.drv
    p.wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    out("fragment_removed", str("#t=" not in d.current_url).lower())
    out("ready_ms", round(d.execute_script(
        "const m = performance.getEntriesByName('wlsimg-ready')[0]; return m ? m.startTime : -1")))
    p.click("nav-image")
    p.click("tab-aux")
    p.shot("image-aux-empty")

    # an invalid tag: inline error, Create disabled, and clicking it anyway links to the field
    p.fill("aux-tag", tag.replace("test-model-ocw", "Test-Model"))
    p.settle()
    out("bad_tag_error", p.find("aux-tag-error").text.replace("\n", " "))
    out("bad_tag_create_disabled", p.find("btn-create-aux").get_attribute("aria-disabled"))
    p.shot("invalid-tag")
    p.find("btn-create-aux").click()
    dlg = p.dialog("dlg-validation")
    out("validation_title", dlg.get_attribute("data-title"))
    dlg.find_element(By.CSS_SELECTOR, '[data-testid="dlg-link-aux-tag"]').click()
    p.wait.until(lambda d: d.switch_to.active_element.get_attribute("data-testid") == "aux-tag")
    out("validation_link_focus", d.switch_to.active_element.get_attribute("data-testid"))

    # the lab's values
    p.fill("aux-tag", tag)
    p.fill("aux-push-user", user)
    p.fill("aux-push-password", password)
    p.settle()
    out("create_enabled", p.find("btn-create-aux").get_attribute("aria-disabled"))
    out("aux_host", p.find("aux-host").text)
    p.shot("filled")

    p.click("btn-create-aux")
    dlg = p.result("create")
    out("create_title", dlg.get_attribute("data-title"))
    out("create_digest", p.text(dlg, "dlg-digest"))
    p.shot("created")
    p.answer(dlg, "close")
    p.wait.until(lambda d: p.find("btn-push-aux").get_attribute("aria-disabled") == "false")

    # a tag namespace that differs from the login's: a warning before pushing
    p.fill("aux-push-user", "other/" + user.split("/")[-1])
    p.settle()
    p.click("btn-push-aux")
    dlg = p.dialog("dlg-confirm", "Push Auxiliary Image")
    out("ns_warning", dlg.text.replace("\n", " "))
    p.shot("namespace-warning")
    p.answer(dlg, "cancel")
    p.fill("aux-push-user", user)

    # a wrong token: the dialog names the 401 and the hint
    p.fill("aux-push-password", "not-the-token")
    p.settle()
    p.click("btn-push-aux")
    dlg = p.result("badtoken")
    out("badtoken_title", dlg.get_attribute("data-title"))
    out("badtoken_status", p.text(dlg, "dlg-error-status"))
    out("badtoken_hint", p.text(dlg, "dlg-error-hint"))
    p.shot("wrong-token")
    p.answer(dlg, "close")

    # the auth token: Push Image Complete with the digest
    p.fill("aux-push-password", password)
    p.settle()
    p.click("btn-push-aux")
    dlg = p.result("push")
    out("push_title", dlg.get_attribute("data-title"))
    out("push_digest", p.text(dlg, "dlg-digest"))
    out("push_message", p.text(dlg, "dlg-message"))
    out("blob_rows", len(d.find_elements(By.CSS_SELECTOR, "#activity-blobs [data-blob]")))
    p.shot("pushed")
    p.answer(dlg, "close")
    out("password_field_after_push", p.find("aux-push-password").get_attribute("value"))

    # Test Login with the saved login: push rights on the repository
    p.click("btn-test-login")
    p.wait.until(lambda d: "Logged in" in p.find("aux-push-test-result").text or "HTTP" in p.find("aux-push-test-result").text)
    out("test_login", p.find("aux-push-test-result").text.replace("\n", " "))

    # a registry that is down
    p.fill("aux-tag", down_tag)
    p.fill("aux-push-password", password)
    p.settle()
    p.click("btn-create-push")
    dlg = p.result("down")
    out("down_title", dlg.get_attribute("data-title"))
    out("down_hint", p.text(dlg, "dlg-error-hint"))
    p.shot("registry-down")
    p.answer(dlg, "close")
    p.fill("aux-tag", tag)
    p.settle()


def primary(p, base, tag, engine):
    """Image > Primary Image: Create New Primary Image with its options, Preview Dockerfile (the Code View shows
    WIT's Dockerfile), then one real create through the engine and a push of the result."""
    d = p.drv
    p.click("nav-image")
    p.click("view-image-design")
    p.click("tab-primary")
    if not p.find("create-primary").is_selected():
        p.click("create-primary")
    p.fill("primary-tag", tag)
    p.fill("primary-from", base)
    p.fill("primary-version", "12.2.1.4.0")
    p.settle()
    sel = Select(p.find("primary-builder"))
    out("primary_engines", ",".join(o.get_attribute("value") for o in sel.options if o.is_enabled() and o.get_attribute("value")))
    if engine != "none":
        sel.select_by_value(engine)
        p.settle()
    out("primary_create_enabled", p.find("btn-create-primary").get_attribute("aria-disabled"))
    out("primary_field_errors", " | ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, '[data-testid^="primary-"][data-testid$="-error"]') if e.text))
    p.shot("primary-filled")
    p.click("btn-preview-primary")
    p.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="code-dockerfile-text"]'))
    out("preview_from", next(l for l in p.find("code-dockerfile-text").text.splitlines() if l.startswith("FROM ")))
    out("primary_cli", p.find("code-primary-cli-text").text.splitlines()[0])
    p.shot("primary-preview")
    if engine == "none":
        return
    p.click("view-image-design")
    p.click("tab-primary")
    p.click("btn-create-primary")
    dlg = p.result("primary")
    out("create_primary_title", dlg.get_attribute("data-title"))
    out("create_primary_digest", p.text(dlg, "dlg-digest"))
    out("primary_steps", " ".join(f"{li.get_attribute('data-step-id')}={li.get_attribute('data-state')}"
                                  for li in d.find_elements(By.CSS_SELECTOR, "#activity-steps [data-step-id]")))
    out("primary_engine_output", str("COMMIT" in p.find("activity-log").text or "Storing signatures" in p.find("activity-log").text).lower())
    p.shot("primary-created")
    p.answer(dlg, "push-primary-image")  # the dialog's Push Primary Image
    dlg = p.result("primary_push")
    out("push_primary_title", dlg.get_attribute("data-title"))
    out("push_primary_digest", p.text(dlg, "dlg-digest"))
    p.answer(dlg, "close")


def kubernetes(p):
    d = p.drv
    p.click("nav-k8s")
    p.click("tab-secrets")
    p.fill("namespace", "domain1-ns")
    p.fill("pull-secret-aux", "ocir-pull")
    p.settle()
    p.click("view-k8s-code")
    p.wait.until(lambda d: "kind: Secret" in p.find("code-secret-yaml-text").text)
    out("secret_redacted", str("<redacted>" in p.find("code-secret-yaml-text").text).lower())
    p.click("btn-reveal-secret")
    p.answer(p.dialog("dlg-confirm"), "reveal")
    p.wait.until(lambda d: "<redacted>" not in p.find("code-secret-yaml-text").text)
    # the text exactly as the page holds it (innerText would be the same for a <pre>)
    secret = d.execute_script("return document.querySelector('[data-testid=\"code-secret-yaml-text\"]').textContent")
    with open(f"{p.outdir}/page-secret.yaml", "w", encoding="utf-8") as fh:
        fh.write(secret)
    out("kubectl_has_context", str("kubectl --context" in p.find("code-kubectl-text").text).lower())
    p.click("view-k8s-design")
    p.click("tab-domain")
    p.fill("domain-uid", "domain1")
    p.fill("wls-password", "welcome1-not-real")
    p.settle()
    # the example model's @@ENV:CUSTOM_DOMAIN_NAME@@: Generate is refused until the Domain sets it
    out("env_error", p.find("k8s-env-error").text.replace("\n", " "))
    env = p.find("k8s-env-add")
    env.send_keys("CUSTOM_DOMAIN_NAME=domain1")
    env.send_keys(Keys.ENTER)
    p.settle()
    out("env_error_after", p.find("k8s-env-error").text.replace("\n", " "))
    p.click("view-k8s-code")
    p.wait.until(lambda d: "kind: Domain" in p.find("code-domain-yaml-text").text)
    out("domain_yaml_pinned", str("@sha256:" in p.find("code-domain-yaml-text").text).lower())
    p.shot("k8s-code")
    p.click("view-k8s-design")
    sel = p.find("k8s-context")
    options = [o.get_attribute("value") for o in sel.find_elements(By.TAG_NAME, "option")]
    out("contexts", ",".join(o for o in options if o))
    sel.send_keys("lab-cluster")
    p.settle()
    p.click("btn-apply")
    dlg = p.result("apply")
    out("apply_title", dlg.get_attribute("data-title"))
    out("apply_objects", p.text(dlg, "dlg-objects"))
    p.shot("k8s-applied")
    p.answer(dlg, "close")
    p.click("btn-domain-status")
    dlg = p.result("status")
    out("status_state", dlg.find_element(By.CSS_SELECTOR, '[data-testid="dlg-domain-state"]').get_attribute("data-state"))
    out("status_text", p.text(dlg, "dlg-domain-state"))
    p.answer(dlg, "close")


def other_pages(p):
    d = p.drv
    # Model: the report, Check Model, the Code View of the files
    p.click("nav-model")
    p.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '#model-report-files tbody tr[data-ok="true"]')) >= 3)
    out("model_files_ok", len(d.find_elements(By.CSS_SELECTOR, '#model-report-files tbody tr[data-ok="true"]')))
    p.click("btn-check-model")
    dlg = p.result("model")
    out("model_title", dlg.get_attribute("data-title"))
    p.answer(dlg, "close")
    p.shot("model")
    # Registries: the saved login, its test, the embedded registry's users and a token shown once
    p.click("nav-registries")
    p.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#registries-table tbody tr[data-host]")) >= 1)
    out("registry_rows", ";".join(r.text.replace("\n", " ") for r in d.find_elements(By.CSS_SELECTOR, "#registries-table tbody tr[data-host]")))
    p.wait.until(lambda d: p.find("emb-status").get_attribute("data-reachable") == "true")
    p.fill("emb-user", "ns/user4")
    p.click("btn-emb-add-user")
    p.wait.until(lambda d: "ns/user4" in p.find("emb-users").text)
    p.click("emb-token-ns-user4")
    dlg = p.dialog("dlg-token")
    out("token_shown", str(len(p.text(dlg, "emb-token-value")) > 20).lower())
    out("token_once", str("will not be shown again" in dlg.text).lower())
    p.shot("embedded-token")
    p.answer(dlg, "close")
    p.fill("emb-ns", "ns")
    p.fill("emb-repo", "test-model-ocw")
    p.fill("emb-tag", "user4")
    p.click("btn-emb-use")
    p.wait.until(lambda d: d.find_element(By.ID, "aux-tag").get_attribute("value").endswith("/ns/test-model-ocw:user4"))
    out("use_for_project", d.find_element(By.ID, "aux-tag").get_attribute("value"))
    p.shot("registries")
    # Jobs: the history and a job's log
    p.click("nav-jobs")
    p.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#jobs-table tbody tr[data-job]")) >= 5)
    out("jobs_listed", len(d.find_elements(By.CSS_SELECTOR, "#jobs-table tbody tr[data-job]")))
    out("history_rows", len(d.find_elements(By.CSS_SELECTOR, "#history-table tbody tr")))
    p.shot("jobs")
    # every job's log, as the page shows it (the test searches them for the token)
    ids = [r.get_attribute("data-job") for r in d.find_elements(By.CSS_SELECTOR, "#jobs-table tbody tr[data-job]")]
    with open(f"{p.outdir}/job-logs.txt", "w", encoding="utf-8") as fh:
        for jid in ids:
            p.click("view-jobs-design")
            p.click(f"job-log-{jid}")  # opens the Code View with that log
            p.wait.until(lambda d: p.find("job-log-title").text.endswith(jid) and p.find("code-job-log-text").text != "")
            fh.write(f"== {jid}\n{p.find('code-job-log-text').text}\n")
    out("job_logs", len(ids))
    # the Image page's Code View: the wlsimg lines with $TOKEN, and the WIT + docker variant
    p.click("nav-image")
    p.click("view-image-code")
    p.wait.until(lambda d: "createAuxImage" in p.find("code-cli-text").text)
    out("code_cli", p.find("code-cli-text").text.replace("\n", " | "))
    # keyboard: the page's tabs move with the arrow keys
    p.click("view-image-design")
    p.find("tab-aux").send_keys(Keys.ARROW_LEFT)
    p.wait.until(lambda d: p.find("tab-primary").get_attribute("aria-selected") == "true")
    out("arrow_keys_tabs", "true")
    out("unlabelled_controls", d.execute_script("""
      return [...document.querySelectorAll('input,select')].filter(e => !e.closest('[hidden]') && e.type !== 'hidden' &&
        !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).map(e => e.id).join(',')"""))
    storage = d.execute_script("return JSON.stringify([localStorage.length, sessionStorage.length])")
    out("storage", storage)
    with open(f"{p.outdir}/page.html", "w", encoding="utf-8") as fh:
        fh.write(d.page_source)


def main():
    url, tag, user, pwfile, outdir, down_tag, base, primary_tag, engine = sys.argv[1:10]
    with open(pwfile, encoding="utf-8") as fh:
        password = fh.read().strip()
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900", "--disable-dev-shm-usage"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    p = Page(drv, outdir)
    try:
        t0 = time.time()
        drv.get(url)
        lab(p, tag, user, password, down_tag)
        out("seconds_lab", round(time.time() - t0, 1))
        primary(p, base, primary_tag, engine)
        out("seconds_primary", round(time.time() - t0, 1))
        kubernetes(p)
        out("seconds_k8s", round(time.time() - t0, 1))
        other_pages(p)
        out("seconds_all", round(time.time() - t0, 1))
        out("done", "true")
    except Exception:
        p.shot("failure")
        raise
    finally:
        errors = [e["message"] for e in drv.get_log("browser") if e["level"] == "SEVERE"]
        out("console_errors", json.dumps(errors))
        drv.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
