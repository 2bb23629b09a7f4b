"""The development mailbox: staff follow a booking's e-mails in the browser, without a
console — the list, a message's text and HTML (in a sandboxed frame), its invite."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from guildbook.notifications import delivery
from guildbook.training import services
from tests.factories import CourseFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "guildbook.notifications.dev_mailbox.EmailBackend"
    settings.GUILDBOOK_DEV_MAILBOX = str(tmp_path / "mail")
    return tmp_path / "mail"


def test_staff_read_a_bookings_mail_in_the_development_mailbox(new_page, mailbox, capsys):
    ada = UserFactory(email="ada@example.nhs.uk", name="Ada Learner")
    alex = UserFactory(email="alex@example.nhs.uk", name="Alex Admin", is_staff=True)
    course = CourseFactory(title="Get Tweeting")
    session = SessionFactory(course=course, starts_at=timezone.now() + timedelta(days=10))
    services.booking_create(session=session, person=ada, actor=ada)
    assert delivery.Worker(worker_id="test").step()["sent"] >= 1
    console = capsys.readouterr().out
    assert "Subject: Your place is booked: Get Tweeting" in console
    assert str(mailbox) in console

    page = new_page(user=alex)
    page.goto("/dev/mail/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Development mailbox")
    row = page.get_by_role("row").filter(has_text="ada@example.nhs.uk")
    row.get_by_role("link", name=re.compile(r"Your place is booked: Get Tweeting")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your place is booked")
    expect(page.locator("pre.mail-text")).to_contain_text("Get Tweeting")
    frame = page.frame_locator("iframe.mail-html")
    expect(frame.locator("body")).to_contain_text("Get Tweeting")
    assert page.locator("iframe.mail-html").get_attribute("sandbox") == ""
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"\.ics$")).click()
    invite = download.value.path().read_text()
    assert "BEGIN:VCALENDAR" in invite and "Get Tweeting" in invite
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # Learners never see it.
    learner = new_page(user=ada)
    response = learner.goto("/dev/mail/")
    assert response.status == 404


def test_the_mailbox_is_not_there_outside_development(client, settings):
    settings.GUILDBOOK_DEV_MAILBOX = ""
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/dev/mail/").status_code == 404


def test_a_messages_html_cannot_run_script_or_fetch_anything(client, mailbox):
    ada = UserFactory(email="ada@example.nhs.uk")
    session = SessionFactory(starts_at=timezone.now() + timedelta(days=10))
    services.booking_create(session=session, person=ada, actor=ada)
    delivery.Worker(worker_id="test").step()
    name = sorted(p.name for p in mailbox.iterdir())[0]
    client.force_login(UserFactory(is_staff=True))
    response = client.get(f"/dev/mail/{name}/html/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get("/dev/mail/..%2Fsecrets.eml/").status_code == 404


def test_without_a_mailbox_the_console_still_shows_the_mail(settings, capsys):
    from django.core.mail import send_mail

    settings.EMAIL_BACKEND = "guildbook.notifications.dev_mailbox.EmailBackend"
    settings.GUILDBOOK_DEV_MAILBOX = ""
    assert send_mail("Your sign-in code", "ABCD-EFGH", None, ["ada@example.nhs.uk"]) == 1
    out = capsys.readouterr().out
    assert "Subject: Your sign-in code" in out and "ABCD-EFGH" in out
