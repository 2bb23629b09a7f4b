"""In person needs a venue, online a link (or "link to follow"), and a session without a
venue reads "Venue to be confirmed" to everyone."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guildbook.core.errors import ServiceError
from guildbook.training import services
from guildbook.training.models import Course, Session
from tests.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _create(course, trainer, **place):
    return services.session_create(
        course=course, starts_at=timezone.now() + timedelta(days=9), actor=trainer, **place
    )


def test_an_in_person_session_needs_a_venue(trainer):
    course = CourseFactory(delivery=Course.Delivery.IN_PERSON)
    with pytest.raises(ServiceError) as caught:
        _create(course, trainer)
    assert caught.value.field == "venue"
    with pytest.raises(ServiceError):
        services.series_create(
            course=course,
            frequency="weekly",
            weekday=1,
            start_time=time(10),
            starts_on=date.today() + timedelta(days=1),
            capacity=4,
            actor=trainer,
        )
    assert not Session.objects.exists()
    session = _create(course, trainer, venue="Staff Library")
    with pytest.raises(ServiceError):
        services.session_update(session=session, actor=trainer, venue="  ")


def test_an_online_session_needs_a_link_or_link_to_follow(trainer):
    course = CourseFactory(delivery=Course.Delivery.ONLINE)
    with pytest.raises(ServiceError) as caught:
        _create(course, trainer)
    assert caught.value.field == "online_link"
    later = _create(course, trainer, link_to_follow=True)
    assert later.where == "Online (link to follow)"
    services.session_update(session=later, actor=trainer, online_link="https://meet.example/x")
    later.refresh_from_db()
    assert later.where == "Online" and not later.link_to_follow


def test_the_form_says_a_venue_is_needed(client, trainer):
    course = CourseFactory(delivery=Course.Delivery.IN_PERSON)
    client.force_login(trainer)
    day = timezone.localdate() + timedelta(days=9)
    response = client.post(
        reverse("training:manage_session_create", args=[course.slug]),
        {"date": day.isoformat(), "start_time": "10:00", "capacity": "8"},
    )
    assert response.status_code == 400
    assert "An in-person session needs a venue." in response.content.decode()


def test_no_venue_reads_the_same_to_learners_and_trainers(client, person, trainer):
    session = SessionFactory(venue="", online_link="")  # from before the rule
    client.force_login(person)
    learner_page = client.get(session.get_absolute_url()).content.decode()
    client.force_login(trainer)
    trainer_page = client.get(
        reverse("training:manage_session", args=[session.pk])
    ).content.decode()
    for page in (learner_page, trainer_page):
        assert "Venue to be confirmed" in page
    assert "<dd>Online" not in trainer_page
