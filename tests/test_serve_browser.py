"""The `kgan serve` page in headless Chromium (Debian's `chromium`, driven by Playwright).

`make install` installs both; set CHROMIUM to use another Chromium binary.
"""

import base64
import os
import shutil
import urllib.request

import pytest

import kgan
from kgan import serve

sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.isfile(CHROMIUM):
    pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

PRESET = "cgan_avatars_64"


@pytest.fixture(scope="module")
def url():
    with serve.running(kgan.zoo.load(PRESET), name=PRESET) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, url):
    context = browser.new_context()  # its own localStorage
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(url)
    page.wait_for_selector("body[data-ready]")
    yield page
    context.close()
    assert not errors


def generate(page, count, **tags):
    for group, value in tags.items():
        page.select_option(f"#gacha-tags select[data-group={group}]", value)
    page.select_option("#count", str(count))
    page.click("#generate")
    page.wait_for_function(
        f"document.querySelectorAll('#faces img').length === {count} && !document.querySelector('#generate').disabled"
    )
    return page.locator("#faces figure")


def test_generate_save_a_favourite_and_open_its_link(page, url):
    faces = generate(page, 4, hair_color="pink", glasses="sunglasses")
    face = faces.nth(2)
    image, seed = face.locator("img").get_attribute("src"), face.get_attribute("data-seed")
    assert image.startswith("data:image/png;base64,")
    assert "pink" in face.get_attribute("title") and "sunglasses" in face.get_attribute("title")
    face.locator("button.save").click()
    favourite = page.locator("#favourite-faces figure")
    assert favourite.count() == 1 and favourite.get_attribute("data-seed") == seed

    # Its PNG link downloads the same bytes.
    png_link = favourite.locator("a.png").get_attribute("href")
    png = urllib.request.urlopen(url + png_link.lstrip("/")).read()
    assert png == base64.b64decode(image.split(",", 1)[1])

    # Its shareable link regenerates the same face; the favourite outlives the reload.
    page.goto(favourite.locator("a.share").get_attribute("href"))
    page.wait_for_selector("body[data-ready]")
    shared = page.locator("#shared-face figure")
    assert shared.get_attribute("data-seed") == seed
    assert shared.locator("img").get_attribute("src") == image
    assert page.locator("#favourite-faces figure").count() == 1


def test_vary_morph_and_blend_favourites(page, url):
    faces = generate(page, 4)
    faces.nth(0).locator("button.save").click()
    faces.nth(1).locator("button.save").click()
    page.select_option("#vary-group", "eyes")
    page.click("#vary-run")
    page.wait_for_selector("#vary-strip figure >> nth=4")
    assert page.locator("#vary-strip figcaption").all_inner_texts() == [
        "open", "half_closed", "closed", "wink", "sparkling"
    ]
    page.select_option("#morph-tags select[data-group=hair_color]", "blue")
    page.fill("#morph-steps", "5")
    page.click("#morph-run")
    page.wait_for_function("document.querySelectorAll('#morph-strip img').length === 5")
    # The blend shows A, the mix, B; at weight 0 the mix is A itself.
    page.fill("#blend-weight", "0")
    page.wait_for_function("document.querySelector('#blend-strip figure:nth-child(2)')?.innerText === '100% A'")
    a_png = page.locator("#blend-strip img").nth(0).get_attribute("src")
    mixed = page.locator("#blend-strip img").nth(1).get_attribute("src")
    assert base64.b64decode(mixed.split(",", 1)[1]) == page.request.get(url + a_png.lstrip("/")).body()


def test_a_bad_link_shows_the_error(page, url):
    page.goto(url + "?seed=1&tags=hair_color:rainbow")
    page.wait_for_selector("#status.error")
    assert "rainbow" in page.inner_text("#status")
