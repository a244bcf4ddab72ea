"""The screenshot of the `kgan serve` page in the README: docs/images/serve.png.

    KERAS_BACKEND=torch python scripts/screenshot_serve.py [--chromium /usr/bin/chromium]

Serves `cgan_avatars_64`, and in headless Chromium (Playwright) generates
eight faces with seed 7, saves two as favourites, varies, morphs and blends
them, then captures the whole page.
"""

import argparse
import os
import shutil

from playwright.sync_api import sync_playwright

import kgan
from kgan import serve

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUTPUT = os.path.join(ROOT, "docs", "images", "serve.png")
PRESET = "cgan_avatars_64"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("-o", "--output", default=OUTPUT)
    args = parser.parse_args()
    with serve.running(kgan.zoo.load(PRESET), name=PRESET) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium)
        page = browser.new_page(viewport={"width": 1240, "height": 900})
        page.goto(server.url)
        page.wait_for_selector("body[data-ready]")
        page.select_option("#gacha-tags select[data-group=hair_color]", "pink")
        page.fill("#seed", "7")
        page.click("#generate")
        page.wait_for_function("document.querySelectorAll('#faces img').length === 8")
        for index in (0, 3):
            page.locator("#faces button.save").nth(index).click()
        page.select_option("#vary-group", "hair")
        page.click("#vary-run")
        page.select_option("#morph-tags select[data-group=hair_color]", "blue")
        page.click("#morph-run")
        page.wait_for_function(
            "document.querySelectorAll('#vary-strip img, #morph-strip img, #blend-strip img').length === 13"
        )
        page.wait_for_function("[...document.images].every((image) => image.complete)")
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        page.screenshot(path=args.output, full_page=True)
        browser.close()
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
