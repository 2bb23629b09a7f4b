"""factory-boy factories for Guildbook's models. Writes in tests go through services where
the test is about behaviour; factories are for setting the scene."""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import factory
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.surveys.models import (
    Choice,
    Invitation,
    Question,
    Response,
    SurveyMoment,
    SurveyTemplate,
)
from guildbook.training import hooks
from guildbook.training.models import Booking, Category, Course, Session


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    name = factory.Faker("name", locale="en_GB")
    team = "Library"
    organisation = "Example NHS Trust"

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if extracted and create:
            from guildbook.accounts.services import user_role_add

            user_role_add(user=obj, role=extracted)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = "Digital skills"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Get Tweeting {n}")
    slug = factory.Sequence(lambda n: f"get-tweeting-{n}")
    summary = "Twitter for professional development, for complete beginners."
    level = Course.Level.NOVICE
    duration_minutes = 90
    visibility = Course.Visibility.STAFF
    category = factory.SubFactory(CategoryFactory)

    @factory.post_generation
    def created_hooks(obj, create, extracted, **kwargs):
        # What course_create runs for a new course (surveys' follow-up moment).
        if create:
            hooks.course_created(course=obj)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=90))
    capacity = 12
    venue = "Staff Library, Education Centre"


class BookingFactory(factory.django.DjangoModelFactory):
    """Sets the scene only: it does not keep Session.places_taken (use booking_create)."""

    class Meta:
        model = Booking

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(UserFactory)
    status = Booking.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)


def weekly_series(course, actor, *, first_in_days: int = 3, **kwargs):
    """A weekly series through the service, its first session `first_in_days` from today,
    sessions made a month ahead."""
    from datetime import date, time

    from guildbook.training import services

    first = date.today() + timedelta(days=first_in_days)
    return services.series_create(
        **{
            "course": course,
            "frequency": "weekly",
            "weekday": first.weekday(),
            "start_time": time(10, 0),
            "starts_on": date.today() + timedelta(days=1),
            "capacity": 5,
            "venue": "Staff Library",
            "generate_months_ahead": 1,
            "actor": actor,
            **kwargs,
        }
    )


def directory_team(name="School nursing", department="Children's services", organisation=None):
    """A team of the organisation directory (organisation → department → team)."""
    from guildbook.accounts.models import Department, Organisation, Team

    org, _ = Organisation.objects.get_or_create(name=organisation or "Acme NHS Trust")
    dept, _ = Department.objects.get_or_create(organisation=org, name=department)
    return Team.objects.create(department=dept, name=name)


# --- Surveys ---------------------------------------------------------------------------------


def _default_template():
    from guildbook.surveys.services.moments import template_default

    return template_default()


class SurveyMomentFactory(factory.django.DjangoModelFactory):
    """A course's survey moment; the current default follow-up unless `template=` says.
    (A new course already has the default moment: delete it where a test sets its own.)"""

    class Meta:
        model = SurveyMoment

    course = factory.SubFactory(CourseFactory)
    name = "Follow-up"
    template = factory.LazyFunction(_default_template)


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation as sending leaves it: for a booking on one of the moment's course's
    sessions, due `days_after` the session ends and closing `closes_after_days` later."""

    class Meta:
        model = Invitation

    moment = factory.SubFactory(SurveyMomentFactory)
    template = factory.LazyAttribute(lambda o: o.moment.template)
    session = factory.SubFactory(SessionFactory, course=factory.SelfAttribute("..moment.course"))
    booking = factory.SubFactory(BookingFactory, session=factory.SelfAttribute("..session"))
    key = factory.LazyFunction(lambda: secrets.token_urlsafe(16))
    due_at = factory.LazyAttribute(lambda o: o.session.ends_at + timedelta(o.moment.days_after))
    closes_at = factory.LazyAttribute(lambda o: o.due_at + timedelta(o.moment.closes_after_days))


class ResponseFactory(factory.django.DjangoModelFactory):
    """A named response to an invitation (pass `invitation=None, submitted_at=None` for an
    anonymous one, as answering leaves it). Answers are the test's own."""

    class Meta:
        model = Response

    invitation = factory.SubFactory(InvitationFactory)
    moment = factory.LazyAttribute(lambda o: o.invitation.moment)
    template = factory.LazyAttribute(lambda o: o.invitation.template)
    session = factory.LazyAttribute(lambda o: o.invitation.session)
    submitted_at = factory.LazyFunction(timezone.now)


FOLLOW_UP_IMPACT = "Have you used Twitter since the session?"
FOLLOW_UP_IMPACT_CHOICES = [
    ("Yes, regularly", True),
    ("Yes, a little", True),
    ("I tried and stopped", False),
    ("Not yet", False),
]
FOLLOW_UP_HELPED_CHOICES = ["The handout", "Practising in the session", "A colleague"]


@dataclass
class SurveyVersion:
    """A template version with its questions and choices by name (`q["impact"]`, `c["Not
    yet"]`)."""

    template: SurveyTemplate
    q: dict[str, Question] = field(default_factory=dict)
    c: dict[str, Choice] = field(default_factory=dict)


def follow_up_version(*, family=None, version=1, current=True, title="Get Tweeting follow-up"):
    """A version of a follow-up like the default one: impact (single), helped (multiple),
    what got in the way (shown only to "Not yet"), a confidence scale and anything else.
    Version 2 rewords "helped" and moves the scale up to second."""
    kwargs = {"family": family} if family else {}
    t = SurveyTemplate.objects.create(title=title, version=version, is_current=current, **kwargs)
    v = SurveyVersion(template=t)
    helped = "What helped?" if version == 1 else "What helped you most?"
    order = ["impact", "helped", "way", "scale", "else"]
    if version > 1:
        order = ["impact", "scale", "helped", "way", "else"]
    spec = {
        "impact": dict(kind="single", text=FOLLOW_UP_IMPACT, required=True, is_impact=True),
        "helped": dict(kind="multiple", text=helped),
        "way": dict(kind="long_text", text="What got in the way?"),
        "scale": dict(
            kind="scale",
            text="How confident do you feel using Twitter now?",
            scale_low_label="Not at all confident",
            scale_high_label="Very confident",
        ),
        "else": dict(kind="long_text", text="Anything else?"),
    }
    for pos, key in enumerate(order, start=1):
        v.q[key] = Question.objects.create(template=t, position=pos, **spec[key])
    for pos, (label, impact) in enumerate(FOLLOW_UP_IMPACT_CHOICES, start=1):
        v.c[label] = Choice.objects.create(
            question=v.q["impact"], position=pos, label=label, counts_as_impact=impact
        )
    for pos, label in enumerate(FOLLOW_UP_HELPED_CHOICES, start=1):
        v.c[label] = Choice.objects.create(question=v.q["helped"], position=pos, label=label)
    v.q["way"].show_if_question = v.q["impact"]
    v.q["way"].show_if_choice = v.c["Not yet"]
    v.q["way"].save()
    return v
