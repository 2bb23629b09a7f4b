"""Take the README's screenshots from a running Guildbook with the demo loaded.

    GUILDBOOK_VAR_DIR=var/shots guildbook migrate && guildbook demo --password P
    GUILDBOOK_VAR_DIR=var/shots guildbook runserver 127.0.0.1:8102 &
    python docs/screenshots/take.py --base http://127.0.0.1:8102 --password P

It signs in as the demo's learner and trainer (their addresses are read from the database
the server uses, so run it with the same GUILDBOOK_VAR_DIR) in Debian's Chromium, and
writes the PNGs beside this file. Pages are taken at 1280 px wide, the phone ones at 360 px.
"""

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _people():
    import django

    django.setup()
    from guildbook.core import roles
    from guildbook.training.models import Booking, Session

    learner = (
        Booking.objects.filter(person__email__startswith="jamie")
        .values_list("person__email", flat=True)
        .first()
    )
    trainer = (
        Session.objects.filter(trainers__groups__name=roles.TRAINER)
        .values_list("trainers__email", flat=True)
        .first()
    )
    return learner, trainer


def _sign_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Sign in with a password instead").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    learner, trainer = _people()
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
        shot(phone, "/", "catalogue-phone", full=False)
        staff = context(trainer, 1280, 900)
        shot(staff, "/manage/", "trainer-dashboard")
        staff.goto(f"{args.base}/manage/")
        session = staff.locator("table a[href*='/manage/sessions/']").first.get_attribute("href")
        shot(staff, session, "trainer-session")
        staff_phone = context(trainer, 360, 740)
        shot(staff_phone, session, "trainer-session-phone", full=False)
        browser.close()


if __name__ == "__main__":
    main()
