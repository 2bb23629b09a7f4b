"""Take the README's screenshots from a running Guildbook with the demo loaded.

    GUILDBOOK_VAR_DIR=var/shots guildbook migrate && guildbook demo --password P
    GUILDBOOK_VAR_DIR=var/shots guildbook runserver 127.0.0.1:8102 &
    python docs/screenshots/take.py --base http://127.0.0.1:8102 --password P \
        --learner LEARNER@… --trainer TRAINER@…   (the addresses the demo printed)

It signs in as the demo's learner and trainer with the password in Debian's Chromium, and
writes the PNGs beside this file. Pages are taken at 1280 px wide, the phone ones at 360 px.
"""

import argparse
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _sign_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.get_by_text("Sign in with a password instead").click()
    box = page.locator("details")
    box.get_by_label("E-mail address").fill(email)
    box.get_by_label("Password").fill(password)
    box.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", required=True, help="the demo's --password")
    parser.add_argument("--learner", required=True, help="the demo's learner's address")
    parser.add_argument("--trainer", required=True, help="the demo's trainer's address")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    learner, trainer = args.learner, args.trainer
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])

        def context(email, width, height):
            ctx = browser.new_context(
                base_url=args.base,
                viewport={"width": width, "height": height},
                locale="en-GB",
                timezone_id="Europe/London",
                device_scale_factor=1,
            )
            page = ctx.new_page()
            if email:
                _sign_in(page, args.base, email, args.password)
            return page

        def shot(page, path, name, *, full=True):
            page.goto(f"{args.base}{path}")
            page.screenshot(path=str(HERE / f"{name}.png"), full_page=full)
            print(name, page.url)

        wide = context(learner, 1280, 900)
        shot(wide, "/", "catalogue", full=False)
        wide.goto(f"{args.base}/")
        course = wide.locator(".course-card h2 a").first.get_attribute("href")
        shot(wide, course, "course")
        shot(wide, "/me/bookings/", "my-bookings")
        shot(wide, "/me/record/", "training-record")
        phone = context(learner, 360, 740)
        shot(phone, "/me/bookings/", "my-bookings-phone")
        staff = context(trainer, 1280, 900)
        shot(staff, "/manage/", "trainer-dashboard")
        staff.goto(f"{args.base}/manage/")
        session = staff.locator("table a[href*='/manage/sessions/']").first.get_attribute("href")
        shot(staff, session, "trainer-session")
        browser.close()


if __name__ == "__main__":
    main()
