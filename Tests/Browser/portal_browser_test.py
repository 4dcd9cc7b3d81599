"""The operator portal in a real browser (Debian's chromium, driven by selenium).

Starts `smsbot serve` on a fresh SQLite file with the Twilio sender pointed at a fake Messages
API served by this script on loopback, then, as a member of staff would: signs in, registers a
policyholder with an error and then correctly (and sees the welcome SMS reach the fake Twilio),
sees a holder name with markup shown as text, unlocks a customer locked out by wrong codes, and
signs out. Screenshots go to test-artifacts/portal/. Any failure, a browser that cannot start
included, exits non-zero.

Usage: python3 Tests/Browser/portal_browser_test.py PATH-TO-SMSBOT
"""

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "browser-test-auth-token-0123456789"
ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test-artifacts", "portal")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeTwilio(BaseHTTPRequestHandler):
    """Accepts Messages API calls and keeps what was sent."""

    sent = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        FakeTwilio.sent.append(form)
        body = json.dumps({"sid": "SM%032x" % len(FakeTwilio.sent), "status": "queued"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def wait_for(condition, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def arrived(browser, heading):
    """Waits until the page whose first heading is `heading` has loaded (a click navigates
    asynchronously: the old page's elements go stale under the test)."""
    # Read in one script call, so no element handle can go stale between finding and reading it
    # (chromium then reports a generic "Node ... does not belong to the document").
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("var h = document.querySelector('h1'); return h && h.textContent.trim();") == heading)


def healthy(base, server):
    if server.poll() is not None:
        raise AssertionError("smsbot serve stopped")
    try:
        return urllib.request.urlopen(base + "/healthz").status == 200
    except OSError:
        return False


def texted(phone):
    return [m["Body"] for m in FakeTwilio.sent if m.get("To") == phone]


def text_the_bot(base, public, sender, body):
    """Posts an inbound SMS to the webhook, signed as Twilio signs it."""
    params = {"MessageSid": "SM" + os.urandom(16).hex(), "AccountSid": ACCOUNT_SID, "From": sender,
              "To": "+15550009999", "Body": body, "NumMedia": "0"}
    url = public + "/twilio/sms"
    payload = url + "".join(k + params[k] for k in sorted(params))
    signature = base64.b64encode(hmac.new(AUTH_TOKEN.encode(), payload.encode(), hashlib.sha1).digest()).decode()
    request = urllib.request.Request(base + "/twilio/sms", data=urllib.parse.urlencode(params).encode(),
                                     headers={"X-Twilio-Signature": signature,
                                              "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200, response.status


def main(binary):
    os.makedirs(ARTIFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="smsbot-browser.")
    database = f"sqlite:{work}/smsbot.sqlite"
    key = subprocess.run([binary, "keys", "create", "--name", "staff", "--role", "operator", "--database-url", database],
                         check=True, capture_output=True, text=True).stdout.strip()
    twilio_port, port = free_port(), free_port()
    twilio = ThreadingHTTPServer(("127.0.0.1", twilio_port), FakeTwilio)
    threading.Thread(target=twilio.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    environment = dict(os.environ, TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                       TWILIO_FROM_NUMBER="+15550009999", TWILIO_API_BASE_URL=f"http://127.0.0.1:{twilio_port}",
                       PUBLIC_URL=base, SECRETS_KEY="browser-test-secrets-key-0123456789abcdef")
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen([binary, "serve", "--demo", "--http-port", str(port), "--database-url", database],
                              env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    browser = None
    try:
        wait_for(lambda: healthy(base, server), "smsbot to answer /healthz")
        options = webdriver.ChromeOptions()
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900"]:
            options.add_argument(argument)
        options.binary_location = "/usr/bin/chromium"
        browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        browser.implicitly_wait(5)

        # A customer locks themselves out with wrong codes.
        customer = "+15551230001"
        text_the_bot(base, base, customer, "AUTO-1001")
        code = re.search(r"code: (\d+)", wait_for(lambda: texted(customer), "the code SMS")[-1]).group(1)
        for _ in range(5):
            text_the_bot(base, base, customer, "000000" if code != "000000" else "111111")

        # Sign in.
        browser.get(base + "/portal")
        assert browser.current_url.endswith("/portal/login"), browser.current_url
        browser.find_element(By.ID, "key").send_keys(key)
        browser.find_element(By.CSS_SELECTOR, "form button").click()
        arrived(browser, "Today")
        assert browser.find_element(By.ID, "lockouts").text == "1", browser.find_element(By.ID, "lockouts").text
        browser.save_screenshot(os.path.join(ARTIFACTS, "overview.png"))

        # Register: an error first, shown beside its field with what was typed kept.
        browser.find_element(By.LINK_TEXT, "Register").click()
        arrived(browser, "Register a policyholder")
        holder = "<b>Kim</b> <script>alert('x')</script> Ortiz"
        values = {"policyNumber": "BOAT-5005", "holderName": holder, "phone": "555-12", "product": "Boat", "status": "active",
                  "effectiveDate": "2026-02-01", "expiryDate": "2027-02-01", "premium": "55.00", "currency": "USD",
                  "premiumFrequency": "monthly", "coverage": "Hull 20k"}
        for name, value in values.items():
            browser.find_element(By.ID, name).send_keys(value)
        browser.find_element(By.CSS_SELECTOR, "form.policy-form button").click()
        WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.ID, "phone-error"))
        error = browser.find_element(By.ID, "phone-error")
        assert "phone" in error.text, error.text
        assert browser.find_element(By.ID, "phone").get_attribute("value") == "555-12"
        assert browser.find_element(By.ID, "holderName").get_attribute("value") == holder
        browser.save_screenshot(os.path.join(ARTIFACTS, "register-error.png"))
        phone = browser.find_element(By.ID, "phone")
        phone.clear()
        phone.send_keys("+15551235005")
        browser.find_element(By.CSS_SELECTOR, "form.policy-form button").click()
        arrived(browser, "Policy BOAT-5005")
        notice = browser.find_element(By.CSS_SELECTOR, ".notice").text
        assert "welcome SMS queued" in notice, notice
        # The name shows as the text it is; no markup of it reached the page.
        holder_cell = browser.find_element(By.XPATH, "//dt[text()='Holder']/following-sibling::dd[1]")
        assert holder_cell.text == holder, holder_cell.text
        assert not holder_cell.find_elements(By.TAG_NAME, "b") and not holder_cell.find_elements(By.TAG_NAME, "script")
        welcome = wait_for(lambda: texted("+15551235005"), "the welcome SMS at the fake Twilio")[0]
        assert "BOAT-5005" in welcome and "Kim" not in welcome, welcome
        browser.save_screenshot(os.path.join(ARTIFACTS, "registered.png"))

        # Unlock the customer from their policy's page.
        browser.get(base + "/portal/policies/AUTO1001")
        assert "Locked for AUTO1001" in browser.page_source
        browser.find_element(By.XPATH, "//button[text()='Unlock']").click()
        WebDriverWait(browser, 10).until(
            lambda b: "done=unlocked" in b.current_url and b.execute_script("return document.querySelector('.notice') !== null;"))
        assert "Unlocked" in browser.find_element(By.CSS_SELECTOR, ".notice").text
        assert "Locked for" not in browser.page_source

        # The register page at a phone's width.
        browser.set_window_size(375, 900)
        browser.get(base + "/portal/policies/new")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 375, f"the register page is {width} px wide at 375"
        browser.save_screenshot(os.path.join(ARTIFACTS, "register-375.png"))
        browser.set_window_size(1200, 900)

        # Sign out.
        browser.get(base + "/portal")
        browser.find_element(By.CSS_SELECTOR, ".signout button").click()
        arrived(browser, "Sign in")
        browser.get(base + "/portal")
        arrived(browser, "Sign in")
        assert browser.current_url.endswith("/portal/login"), "still signed in after signing out"
        print(f"portal browser test: passed; screenshots in {os.path.normpath(ARTIFACTS)}")
    finally:
        if browser:
            browser.quit()
        server.terminate()
        server.wait(timeout=10)
        twilio.shutdown()
        log.close()


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]))
