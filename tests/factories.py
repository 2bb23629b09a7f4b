"""factory-boy factories for Guildbook's models. Writes in tests go through services where
the test is about behaviour; factories are for setting the scene."""

from datetime import timedelta

import factory
from django.utils import timezone

from guildbook.accounts.models import User
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
