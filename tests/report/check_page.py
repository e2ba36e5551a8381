#!/usr/bin/env python3
"""Opens an HTML page in headless Chromium and lists what is wrong with it.

    check_page.py PAGE.html      (exit 0: nothing wrong; 1: the problems, one a line)

Chromium is driven through the DevTools protocol over --remote-debugging-pipe (file
descriptors 3 and 4, JSON messages ended by a NUL byte): the standard library is enough (no
websocket client, no chromedriver or Selenium), and no TCP port is opened, so tests that run
at once cannot collide. The page is wrong if:
  - it makes any network request (anything but the page itself and data: URLs): a report
    must be self-contained;
  - a script throws (Runtime.exceptionThrown) or logs an error (console.error,
    Log.entryAdded at level error: a failed load, a blocked request);
  - an <img> is not complete or has naturalWidth 0, or an inline <svg> is empty;
  - its screenshot is blank: one colour covers more than 99.5 % of the pixels.
"""

import base64
import io
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM = os.environ.get("SOVRISK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-pipe", "about:blank"]
BLANK_SHARE = 0.995
TIMEOUT = 120

INSPECT = """(() => {
  const images = Array.from(document.images).map(i => ({
    alt: i.alt, src: i.src.slice(0, 40), complete: i.complete, width: i.naturalWidth}));
  const svgs = Array.from(document.querySelectorAll('svg')).map(s => ({
    children: s.childElementCount, width: s.getBoundingClientRect().width,
    height: s.getBoundingClientRect().height}));
  return JSON.stringify({images, svgs, text: document.body ? document.body.innerText.length : 0,
                         height: document.documentElement.scrollHeight});
})()"""


class Browser:
    def __init__(self):
        if not os.path.exists(CHROMIUM):
            raise RuntimeError(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="sovrisk-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def fds():  # the browser reads commands on 3 and writes answers on 4
            r, w = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS[:-1], f"--user-data-dir={self.profile}", FLAGS[-1]],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        return self.wait(lambda m, i=self.next_id: m.get("id") == i)

    def wait(self, done, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if done(message):
                    if "error" in message:
                        raise RuntimeError(f"DevTools: {message['error']}")
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("Chromium did not answer in time")
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if ready:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe (did it start?)")
                self.buffer += chunk

    def close(self):
        try:
            os.write(self.to_browser, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        for fd in (self.to_browser, self.from_browser):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


def blank_share(png):
    """The share of the screenshot's pixels that have its most common colour."""
    import matplotlib.image
    import numpy as np
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    flat = (pixels[..., :3] * 255).astype(np.uint32).reshape(-1, 3)
    codes = flat[:, 0] << 16 | flat[:, 1] << 8 | flat[:, 2]
    return np.unique(codes, return_counts=True)[1].max() / len(codes)


def check(page_path):
    """The problems of the page at `page_path`, one line each; [] if none."""
    url = "file://" + os.path.abspath(page_path)
    browser = Browser()
    problems = []
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "result"]["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.send(f"{domain}.enable", session=session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
                     session=session)
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait(lambda m: m.get("method") == "Page.loadEventFired")
        time.sleep(0.5)  # late errors and requests
        answer = browser.send("Runtime.evaluate", {"expression": INSPECT, "returnByValue": True},
                              session=session)
        state = json.loads(answer["result"]["result"]["value"])
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
        share = blank_share(base64.b64decode(shot["result"]["data"]))
        for event in browser.events:
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                request = params["request"]["url"]
                if request != url and not request.startswith("data:"):
                    problems.append(f"network request: {request[:100]}")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                problems.append(f"JavaScript exception: {str(text).splitlines()[0]}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
                problems.append(f"console error: {args[:100]}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                problems.append(f"browser error: {params['entry']['text'][:100]}")
        for image in state["images"]:
            if not image["complete"] or image["width"] == 0:
                problems.append(f"broken image: <img alt='{image['alt']}' src='{image['src']}...'>")
        for number, svg in enumerate(state["svgs"], 1):
            if svg["children"] == 0 or svg["width"] == 0 or svg["height"] == 0:
                problems.append(f"empty inline <svg> number {number}")
        if share > BLANK_SHARE:
            problems.append(f"blank page: one colour covers {100 * share:.1f} % of the screenshot")
    finally:
        browser.close()
    return problems, state


def main(argv):
    if len(argv) != 2:
        print("usage: check_page.py PAGE.html", file=sys.stderr)
        return 2
    problems, state = check(argv[1])
    for problem in problems:
        print(problem)
    print(f"{len(state['images'])} images, {len(state['svgs'])} inline svg, "
          f"{state['text']} characters of text, {state['height']} px high", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
