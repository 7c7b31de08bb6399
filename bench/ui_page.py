#!/usr/bin/env python3
"""The browser half of bench/ui.sh: loads `wlsimg ui` in headless Chromium and reports the page's weight and
time to interactive; then, RUNS times, resets the registry (RESET_CMD), times `wlsimg push` (CLI_CMD), resets
again and times Push Auxiliary Image clicked in the page (from the click to the result dialog), recording when
each progress event reached the page. Prints KEY=VALUE lines.

usage: ui_page.py URL RUNS RESET_CMD CLI_CMD
"""
import statistics
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# Click BUTTON, then resolve once an element matches DIALOG (a MutationObserver: nothing polls meanwhile).
CLICK_AND_WAIT = """
const done = arguments[arguments.length - 1];
const sel = arguments[1];
const obs = new MutationObserver(() => { if (document.querySelector(sel)) { obs.disconnect(); done(true); } });
obs.observe(document.body, { subtree: true, childList: true, attributes: true });
document.querySelector(arguments[0]).click();
"""


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL)


def main():
    url, runs, reset, cli = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900", "--disable-dev-shm-usage"):
        opts.add_argument(a)
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    wait = WebDriverWait(drv, 600, poll_frequency=0.02)
    drv.set_script_timeout(600)
    try:
        drv.get(url)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
        load = drv.execute_script("""
          const nav = performance.getEntriesByType('navigation')[0];
          const res = performance.getEntriesByType('resource').filter(r => !r.name.includes('/api/'));
          return {bytes: nav.encodedBodySize + res.reduce((s, r) => s + r.encodedBodySize, 0), files: res.length + 1,
                  interactive: nav.domInteractive, ready: performance.getEntriesByName('wlsimg-ready')[0].startTime};""")
        print(f"page_bytes={load['bytes']}")
        print(f"page_files={load['files']}")
        print(f"dom_interactive_ms={load['interactive']:.0f}")
        print(f"ready_ms={load['ready']:.0f}")
        btn = '[data-testid="btn-push-aux"]'
        cli_t, ui_t, ui_page, ui_job, rates, gaps = [], [], [], [], [], []
        for i in range(runs):
            sh(reset)
            t0 = time.monotonic()
            sh(cli)
            cli_t.append(time.monotonic() - t0)
            sh(reset)
            drv.execute_script("window.wlsimgStats.blobTimes = []; window.wlsimgStats.marks = {}")
            wait.until(lambda d: d.find_element(By.CSS_SELECTOR, btn).get_attribute("aria-disabled") == "false")
            # the click and the wait for the result dialog happen in the page: polling through WebDriver every
            # few ms would load the two cores the push itself needs (it made the page look 5-15 % slower)
            t0 = time.monotonic()
            drv.execute_async_script(CLICK_AND_WAIT, btn, 'dialog[data-testid="dlg-result"][open]')
            ui_t.append(time.monotonic() - t0)
            dlg = drv.find_elements(By.CSS_SELECTOR, 'dialog[data-testid="dlg-result"][open]')
            ui_page.append(drv.execute_script("const m = window.wlsimgStats.marks; return (m.dialog - m.click) / 1000"))
            title = dlg[0].get_attribute("data-title")
            if title != "Push Image Complete":
                raise RuntimeError(f"run {i}: {title}: {dlg[0].text}")
            job_ms = drv.execute_script("return document.querySelector('#activity-steps [data-step-id=\"upload\"]').textContent")
            ui_job.append(job_ms)
            times = drv.execute_script("return window.wlsimgStats.blobTimes")
            st = drv.execute_script("return window.wlsimgStats")
            m = st["marks"]
            print(f"  in the page: POST {m['posted'] - m['post']:.0f} ms, stream open +{m['stream'] - m['posted']:.0f} ms, "
                  f"job {st['jobMs']} ms, result at +{m['result'] - m['post']:.0f} ms", file=sys.stderr)
            if len(times) >= 2:
                span = (times[-1] - times[0]) / 1000
                rates.append(len(times) / span if span > 0 else float("inf"))
                gaps.append(max(b - a for a, b in zip(times, times[1:])))
            drv.find_element(By.CSS_SELECTOR, '[data-testid="dlg-btn-close"]').click()
            print(f"run {i + 1}: wlsimg push {cli_t[-1]:.2f} s, page {ui_page[-1]:.2f} s (webdriver {ui_t[-1]:.2f} s), {len(times)} progress events", file=sys.stderr)
        print(f"cli_median_s={statistics.median(cli_t):.3f}")
        print(f"ui_median_s={statistics.median(ui_t):.3f}")
        print(f"ui_page_median_s={statistics.median(ui_page):.3f}")
        print(f"ratio={statistics.median(ui_page) / statistics.median(cli_t):.3f}")
        print(f"ratio_webdriver={statistics.median(ui_t) / statistics.median(cli_t):.3f}")
        print(f"events_per_s_min={min(rates):.1f}")
        print(f"largest_gap_ms={max(gaps):.0f}")
        print(f"upload_steps={' | '.join(ui_job)}")
    finally:
        drv.quit()


if __name__ == "__main__":
    main()
