"""The review page at /: served by the service, self-contained, and working in a real browser.

The browser test starts headless Chromium itself and drives it over the DevTools protocol against a
live server of the shipped model. It is skipped only where no Chromium binary exists (.ci/run
installs Debian's `chromium` when it is missing). With SENSATIONAL_SCREENSHOT=PATH it also saves a
screenshot of the page with its results (docs/review-page.png is made that way).
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess

import pytest

from sensational.cli import app
from tests.browser import Browser, chromium_binary
from tests.conftest import live_server
from tests.helpers import runner

HEADLINES = [
    "Putin rubbing hands as 'scared Europe losing financial war'",
    "17 Photos That Will Make You Feel Old",
    "Central bank holds interest rates at 4.5 percent",
    "Путин потирает руки",
    '=HYPERLINK("http://x","y")',
    "🔥🔥🔥",  # nothing any head knows: its clickbait prior is above the threshold, yet no flag
]


def test_the_page_is_served_at_the_root_and_needs_nothing_from_elsewhere(client):
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>sensational" in page and 'id="headlines"' in page and 'id="file"' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "the page loads something from elsewhere"
    assert "@import" not in page and "fetch(\"http" not in page


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_gets_the_page(tiny_model):
    with live_server(tiny_model) as url:
        page = subprocess.run(["curl", "-sf", f"{url}/"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert page.startswith("<!doctype html>") and "Review headlines" in page


@pytest.fixture(scope="module")
def browser():
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no Chromium binary (chromium, chromium-browser or google-chrome) on PATH; "
                    "install Debian's `chromium` package (.ci/run does) to run the review page's browser test")
    opened = Browser(binary)
    try:
        yield opened
    finally:
        opened.close()


def marks(browser, row: int) -> list[list[str]]:
    """[head, category, text] of each highlighted phrase in the row-th result row (1-based)."""
    return browser.evaluate(
        f"[...document.querySelectorAll('#results tr:nth-child({row}) mark')]"
        ".map(m => [m.dataset.head, m.dataset.category, m.textContent])"
    )


def row_flag(browser, row: int) -> str:
    return browser.evaluate(f"document.querySelector('#results tr:nth-child({row})').dataset.flagged")


def test_the_review_page_in_a_browser(browser, shipped_model, tmp_path):
    with live_server(shipped_model) as url:
        browser.open(f"{url}/")
        browser.wait("document.querySelectorAll('#sliders input[type=range]').length === 2")
        # Every control has a label, so it is named for keyboard and screen-reader users.
        assert browser.evaluate(
            "[...document.querySelectorAll('input, select, textarea')].every(e => e.labels && e.labels.length > 0)"
        )
        browser.evaluate(f"document.getElementById('headlines').value = {json.dumps(chr(10).join(HEADLINES))}")
        browser.evaluate("document.getElementById('score').click()")
        browser.wait(f"document.querySelectorAll('#results tr').length === {len(HEADLINES)}")
        assert browser.evaluate("document.getElementById('status').textContent") == f"Scored {len(HEADLINES)} headlines."

        # Phrases are highlighted in the headline by head and category.
        gloating = marks(browser, 1)
        assert ["sensational", "gloating", "rubbing hands"] in gloating and ["sensational", "alarm", "scared"] in gloating
        assert row_flag(browser, 1) == "true"
        # The teaser: flagged by clickbait alone, so flagged; its clickbait phrases are shown.
        assert row_flag(browser, 2) == "true"
        assert any(head == "clickbait" and text == "Will Make You" for head, _, text in marks(browser, 2))
        assert row_flag(browser, 3) == "false"
        assert "language" in browser.evaluate("document.querySelector('#results tr:nth-child(4)').textContent")
        assert row_flag(browser, 6) == "false"

        if os.environ.get("SENSATIONAL_SCREENSHOT"):
            browser.screenshot(os.environ["SENSATIONAL_SCREENSHOT"])

        # The clickbait slider at 1: the teaser is no longer flagged and its clickbait phrases go.
        browser.evaluate(
            "(() => { const s = document.getElementById('threshold-clickbait'); s.value = '1';"
            " s.dispatchEvent(new Event('input')); })()"
        )
        assert row_flag(browser, 2) == "false"
        assert all(head != "clickbait" for head, _, _ in marks(browser, 2))
        assert browser.evaluate("document.getElementById('threshold-clickbait-value').textContent") == "1.00"

        # Filtering and sorting by category.
        browser.evaluate(
            "(() => { const f = document.getElementById('filter'); f.value = 'flagged:sensational';"
            " f.dispatchEvent(new Event('change')); })()"
        )
        shown = browser.evaluate("[...document.querySelectorAll('#results tr')].map(r => r.dataset.id)")
        records = [json.loads(line) for line in browser.evaluate("review.toJsonl()").splitlines()]
        assert shown == [str(i) for i, r in enumerate(records, 1) if r["categories"]["sensational"]["flagged"]]
        assert "1" in shown and "3" not in shown
        browser.evaluate(
            "(() => { const f = document.getElementById('filter'); f.value = 'all'; f.dispatchEvent(new Event('change'));"
            " const s = document.getElementById('sort'); s.value = 'score:sensational'; s.dispatchEvent(new Event('change')); })()"
        )
        order = browser.evaluate("[...document.querySelectorAll('#results tr')].map(r => r.dataset.id)")
        assert order[0] == "1" and sorted(order) == ["1", "2", "3", "4", "5", "6"]

        # The downloads hold the records with the sliders' thresholds; the CSV has the CLI's columns
        # and escapes formulas as the CLI does.
        jsonl = [json.loads(line) for line in browser.evaluate("review.toJsonl()").splitlines()]
        assert [r["headline"] for r in jsonl] == HEADLINES
        assert jsonl[1]["categories"]["clickbait"]["threshold"] == 1 and jsonl[1]["flagged"] is False
        page_csv = list(csv.DictReader(io.StringIO(browser.evaluate("review.toCsv()"))))
        out = tmp_path / "cli.csv"
        result = runner.invoke(
            app, ["predict", *HEADLINES, "-f", "csv", "-o", str(out), "--model", str(shipped_model), "--threshold", "clickbait=1"]
        )
        assert result.exit_code == 0, result.output
        cli_csv = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert list(page_csv[0]) == list(cli_csv[0])
        for column in ("id", "headline", "flagged", "sensational_flagged", "clickbait_flagged", "warnings", "model"):
            assert [r[column] for r in page_csv] == [r[column] for r in cli_csv], column
        assert page_csv[4]["headline"] == "'" + HEADLINES[4]

