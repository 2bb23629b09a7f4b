""" "Tell me when there's a date" on the pages: the learner's button and its undo, signing in
first, the head start on the session page, and the trainer's list with teams and its CSV."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.accounts.models import Department, Organisation, Team
from guildbook.training import services
from guildbook.training.models import CourseInterest
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db, trainer):
    course = CourseFactory(
        title="Get Tweeting", slug="get-tweeting", booking_opens_days=30, interest_head_start_days=2
    )
    course.trainers.add(trainer)
    return course


def test_a_learner_asks_to_hear_of_a_date_and_can_stop(client, person, course):
    client.force_login(person)
    page = client.get(course.get_absolute_url()).content.decode()
    assert "No dates are planned yet." in page
    assert "Tell me when there&#x27;s a date" in page or "Tell me when there's a date" in page
    response = client.post(reverse("training:interest_register", args=[course.slug]))
    assert response.status_code == 302
    client.post(reverse("training:interest_register", args=[course.slug]))  # one click too many
    assert CourseInterest.objects.filter(person=person).count() == 1
    page = client.get(course.get_absolute_url()).content.decode()
    assert "We&#x27;ll e-mail you" in page and "Stop telling me" in page
    client.post(reverse("training:interest_stop", args=[course.slug]))
    assert not CourseInterest.objects.exists()
    assert client.post(reverse("training:interest_stop", args=[course.slug])).status_code == 404


def test_someone_not_signed_in_is_asked_to_sign_in_and_come_back(client, course):
    course.visibility = course.Visibility.PUBLIC
    course.save()
    page = client.get(course.get_absolute_url()).content.decode()
    login = reverse("account_login") + "?next=" + course.get_absolute_url().replace("/", "%2F")
    assert "Sign in to be told when there" in page and login in page


def test_a_course_with_a_date_offers_the_date_not_the_interest(client, person, course, trainer):
    services.session_create(
        course=course, starts_at=timezone.now() + timedelta(days=50), venue="Lib", actor=trainer
    )
    client.force_login(person)
    page = client.get(course.get_absolute_url()).content.decode()
    assert "there&#x27;s a date" not in page
    response = client.post(reverse("training:interest_register", args=[course.slug]), follow=True)
    assert "This course has a date to come" in response.content.decode()


def test_the_session_page_lets_the_interested_book_in_the_head_start(
    client, person, course, trainer
):
    services.interest_register(course=course, person=person, actor=person)
    session = services.session_create(
        course=course, starts_at=timezone.now() + timedelta(days=31), venue="Lib", actor=trainer
    )
    client.force_login(person)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "you can book before everyone else" in page and "Book a place" in page
    other = UserFactory()
    client.force_login(other)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Booking opens on" in page and "Book a place" not in page
    response = client.post(reverse("training:session_book", args=[session.pk]), follow=True)
    assert "Booking opens on" in response.content.decode()
    assert not session.bookings.exists()


def test_trainers_see_who_is_waiting_with_their_teams_and_download_it(client, trainer, course):
    trust = Organisation.objects.create(name="Acme NHS Trust")
    children = Department.objects.create(organisation=trust, name="Children's services")
    nursing = Team.objects.create(department=children, name="School nursing")
    nurse = UserFactory(name="Nia Nurse", directory_team=nursing)
    typed = UserFactory(name="Tom Typed", team="Pharmacy", organisation="Elsewhere Trust")
    for who in (nurse, typed):
        services.interest_register(course=course, person=who, actor=who)
    client.force_login(trainer)
    page = client.get(reverse("training:manage_course", args=[course.slug])).content.decode()
    assert "2 people are waiting to hear of a date" in page
    for text in ("Nia Nurse", "School nursing", "Children&#x27;s services", "Acme NHS Trust"):
        assert text in page
    assert "Pharmacy" in page and "Elsewhere Trust" in page
    csv = client.get(reverse("training:manage_course_interest_csv", args=[course.slug]))
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "name,email,team,department,organisation,since"
    assert lines[1].startswith("Nia Nurse,") and "School nursing,Children's services" in lines[1]
    assert len(lines) == 3


def test_the_head_start_is_on_the_course_form(client, trainer, course):
    client.force_login(trainer)
    page = client.get(reverse("training:manage_course_edit", args=[course.slug])).content.decode()
    assert 'name="interest_head_start_days"' in page


def test_before_the_head_start_the_session_page_says_when_they_can_book(
    client, person, course, trainer
):
    services.interest_register(course=course, person=person, actor=person)
    session = services.session_create(
        course=course, starts_at=timezone.now() + timedelta(days=40), venue="Lib", actor=trainer
    )
    client.force_login(person)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Book a place" not in page
    assert "when you can book, on" in page and "before booking opens to everyone" in page
