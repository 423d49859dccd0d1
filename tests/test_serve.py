"""``dashkit serve`` in a real browser: Debian's headless Chromium, driven through Debian's
chromedriver with Selenium, on loopback. The page shows every picture; editing a dashboard file
changes what the browser shows without anyone reloading it; a syntax error is shown on the page
and the server keeps running. Without Chromium the test skips, except under CI, where it fails
(make test installs it)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DASHBOARDS, PROJECT_UIDS, unavailable, wait_until

pytestmark = pytest.mark.browser
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture
def browser() -> Iterator[object]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        unavailable(f"needs Debian's chromium and chromium-driver: {', '.join(missing)}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1400,1000", "--no-proxy-server"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    project = Path(shutil.copytree(DASHBOARDS, tmp_path / "dashboards",
                                   ignore=shutil.ignore_patterns("__pycache__")))
    process = subprocess.Popen(
        [sys.executable, "-m", "dashkit", "serve", "--dashboards", str(project),
         "--out", str(tmp_path / "preview"), "--port", "0"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path)
    assert process.stderr is not None
    first = process.stderr.readline()
    url = re.search(r"http://127\.0\.0\.1:\d+/", first)
    assert url, first
    yield url.group(0), project, process
    process.terminate()
    process.wait(timeout=10)


def test_the_page_follows_edits_and_shows_errors_in_a_real_browser(browser, served):
    from selenium.webdriver.common.by import By

    url, project, process = served
    browser.get(url)

    def loaded_images():  # type: ignore[no-untyped-def]
        images = browser.find_elements(By.TAG_NAME, "img")
        complete = browser.execute_script(
            "return [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        return len(images) == len(PROJECT_UIDS) and complete and images

    wait_until(loaded_images, what="every dashboard's picture in the page")
    marker = browser.execute_script("window.dashkitMarker = 1; return window.dashkitMarker")
    assert marker == 1

    def picture_of(uid: str) -> bytes:
        image = next(i for i in browser.find_elements(By.TAG_NAME, "img")
                     if f"{uid}.png" in (i.get_attribute("src") or ""))
        return image.screenshot_as_png

    before = picture_of("easymo-system-overview")
    module = project / "system_overview.py"
    module.write_text(module.read_text().replace('"Health by job"', '"Health of every job"'))
    # nobody reloads: the page does, on the server's event
    wait_until(lambda: browser.execute_script("return window.dashkitMarker") is None and
               loaded_images(), what="the page to reload itself")
    assert picture_of("easymo-system-overview") != before

    broken = project / "infrastructure.py"
    broken.write_text(broken.read_text() + "\nbroken = (\n")
    error = wait_until(lambda: browser.find_elements(By.ID, "error"), what="the error on the page")
    assert "infrastructure.py" in error[0].text and "SyntaxError" in error[0].text
    assert process.poll() is None  # the server keeps running
    assert len(browser.find_elements(By.TAG_NAME, "img")) == len(PROJECT_UIDS)  # last good ones

    broken.write_text(broken.read_text().replace("\nbroken = (\n", "\n"))
    wait_until(lambda: not browser.find_elements(By.ID, "error") and loaded_images(),
               what="the error to go once the file is fixed")
