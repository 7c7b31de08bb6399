#!/usr/bin/env python3
"""Drive `wlsimg ui` in headless Chromium through the lab's flow: Image > Auxiliary Image, set the tag and
the push login, Create Auxiliary Image, Push Auxiliary Image. Prints one line per result (KEY=VALUE) and
keeps a screenshot of each step in OUTDIR.

usage: lab_flow.py URL TAG USER PASSWORD_FILE OUTDIR
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def main():
    url, tag, user, pwfile, outdir = sys.argv[1:6]
    with open(pwfile, encoding="utf-8") as fh:
        password = fh.read().strip()
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        opts.add_argument(a)
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    wait = WebDriverWait(drv, 60)
    tid = lambda t: (By.CSS_SELECTOR, f'[data-testid="{t}"]')
    try:
        drv.get(url)
        wait.until(EC.element_to_be_clickable(tid("aux-tag")))
        drv.find_element(*tid("nav-image")).click()
        drv.find_element(*tid("tab-aux")).click()
        print("fragment_removed=" + str("#t=" not in drv.current_url).lower())
        for field, value in (("aux-tag", tag), ("aux-push-user", user), ("aux-push-password", password)):
            el = drv.find_element(*tid(field))
            el.clear()
            el.send_keys(value)
        drv.find_element(*tid("aux-push-user")).click()  # the tag field's change event
        drv.save_screenshot(f"{outdir}/1-filled.png")
        wait.until(EC.element_to_be_clickable(tid("btn-create-aux"))).click()
        done = (By.CSS_SELECTOR, '[data-testid="dlg-result"]:not([hidden])')
        wait.until(EC.visibility_of_element_located(done))
        print("create_title=" + drv.find_element(*done).get_attribute("data-title"))
        print("create_digest=" + drv.find_element(*tid("dlg-digest")).text)
        drv.save_screenshot(f"{outdir}/2-created.png")
        drv.find_element(*tid("dlg-btn-ok")).click()
        drv.find_element(*tid("btn-push-aux")).click()
        wait.until(EC.visibility_of_element_located(done))
        print("push_title=" + drv.find_element(*done).get_attribute("data-title"))
        print("push_digest=" + drv.find_element(*tid("dlg-digest")).text)
        print("push_message=" + drv.find_element(By.ID, "dlg-message").text.replace("\n", " "))
        drv.save_screenshot(f"{outdir}/3-pushed.png")
    finally:
        drv.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
