"""The survey template editor in a real browser, from the keyboard: htmx swaps the editor in
place and keeps the focus, and a change to an answered version reloads on the new one."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.surveys import services
from guildbook.surveys.models import SurveyTemplate
from tests.factories import CourseFactory, SurveyMomentFactory, UserFactory
from tests.surveys.test_templates import _answer, _invite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_trainer_reorders_and_rewords_from_the_keyboard(new_page):
    from playwright.sync_api import expect

    tess = UserFactory(email="tess@example.nhs.uk", name="Tess Trainer", role="trainer")
    template = services.template_create(title="Get Tweeting: a month on", actor=tess)
    services.question_add(
        template=template,
        kind="single",
        text="Have you used Twitter since the session?",
        choices=["Yes, regularly", "Not yet"],
        actor=tess,
    )
    helped = services.question_add(
        template=template, kind="long_text", text="What helped?", actor=tess
    )
    page = new_page(user=tess)
    page.goto(reverse("surveys:manage_template", args=[template.family]))

    # Move question 2 up with the keyboard: the editor is swapped, not the page.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name=re.compile(r"^Move up\W+question 2$")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#editor-status")).to_contain_text("Question moved to number 1.")
    expect(page.locator("#q1 h3")).to_contain_text("What helped?")
    assert page.evaluate("window.notReloaded") is True
    # It is first now, so the focus is on its other move button, ready to press again.
    assert page.evaluate("document.activeElement.id") == f"q{helped.pk}-down"

    # Once someone has answered, rewording an answer reloads the page on version 2.
    moment = SurveyMomentFactory(course=CourseFactory(), template=template)
    _answer(_invite(moment, template, due_at=timezone.now() - timedelta(days=1)))
    page.reload()
    expect(page.locator("#version-notice")).to_contain_text("Your changes make version 2")
    field = page.get_by_label("Answer 2 to question 2")
    field.fill("Not yet, but I will")
    field.press("Enter")
    expect(page.locator("h1")).to_contain_text("Version 2")
    expect(page.locator("main")).to_contain_text("You are now editing version 2.")
    current = SurveyTemplate.objects.get(family=template.family, is_current=True)
    assert current.version == 2
    assert current.questions.get(position=2).choices.filter(label="Not yet, but I will").exists()
