"""Headless Chromium driven over the Chrome DevTools Protocol, for the review page's test.

Only what the test needs: open a page, run JavaScript in it (awaiting promises), wait for a
condition, take a screenshot. Chromium is started by the caller's test and stopped with it.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import socket
import subprocess
import tempfile

import httpx
import websocket

from tests.helpers import wait_for

BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_binary() -> str | None:
    return next((path for path in map(shutil.which, BINARIES) if path), None)


class Browser:
    def __init__(self, binary: str, width: int = 1280, height: int = 900):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.profile = tempfile.mkdtemp(prefix="sensational-chromium-")
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--remote-allow-origins=*", f"--remote-debugging-port={port}",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.width, self.height = width, height
        self._ids = itertools.count(1)
        try:
            pages = []

            def page_listed() -> bool:
                try:
                    listed = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                except (httpx.TransportError, ValueError):
                    return self.process.poll() is not None  # stop waiting if it died
                pages[:] = [target for target in listed if target.get("type") == "page"]
                return bool(pages)

            assert wait_for(page_listed, 60) and pages, "Chromium did not open a page"
            self.socket = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60)
        except BaseException:
            self.close()
            raise

    def send(self, method: str, **params) -> dict:
        """Call a DevTools method and return its result (events arriving meanwhile are skipped)."""
        number = next(self._ids)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression: str, seconds: float = 60) -> None:
        assert wait_for(lambda: bool(self.evaluate(expression)), seconds), f"never true: {expression}"

    def open(self, url: str) -> None:
        self.send("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height, deviceScaleFactor=1, mobile=False)
        self.send("Page.navigate", url=url)
        self.wait(f"location.href === {json.dumps(url)} && document.readyState === 'complete'")

    def screenshot(self, path) -> None:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))

    def close(self) -> None:
        if getattr(self, "socket", None) is not None:
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)
