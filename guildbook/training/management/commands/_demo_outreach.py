"""The demo's organisation directory and its outreach: the Get Tweeting trainer takes the
course to the school nursing team's meeting, helps the team onto social media, and schedules
a closed session just for them (run by `demo` after the history is in)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

from django.utils import timezone

from guildbook.accounts.models import Team, User
from guildbook.accounts.organisations import directory_import
from guildbook.training import services
from guildbook.training.management.commands import _demo_catalogue as catalogue
from guildbook.training.models import Course

# Each demo team's department; the rest are clinical services.
DEPARTMENTS = {
    "School nursing": "Children's and families' services",
    "Health visiting": "Children's and families' services",
    "District nursing": "Adult community services",
    "Community mental health": "Mental health services",
    "Speech and language therapy": "Therapies",
    "Dietetics": "Therapies",
    "Library and knowledge service": "Education and research",
    "Medical education": "Education and research",
    "Research and development": "Education and research",
    "Learning and organisational development": "Education and research",
    "Patient experience": "Corporate services",
    "Communications": "Corporate services",
}


def load_directory() -> None:
    """The demo's teams as a directory, and its people (and imported history) linked."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["organisation", "department", "team"])
    for team, (organisation, _count, _titles) in catalogue.TEAMS.items():
        writer.writerow([organisation, DEPARTMENTS.get(team, "Clinical services"), team])
    result = directory_import(text=out.getvalue())
    if result.errors:  # the demo's own rows: a mistake here is a bug
        raise ValueError("; ".join(result.errors))


def load_outreach() -> None:
    load_directory()
    nursing = Team.objects.get(name="School nursing")
    rachel = User.objects.get(name="Rachel Okafor")
    tom = User.objects.get(name="Tom Hughes")
    today = timezone.localdate()
    meeting = services.outreach_create(
        actor=rachel,
        kind="presentation",
        date=today - timedelta(days=100),
        team=nursing,
        people_reached=18,
        went=[rachel],
        notes="Ten minutes at the school nursing team's monthly meeting: what Twitter can do "
        "for professional development, and the next Get Tweeting dates. Most of the team "
        "had never used the library.",
        follow_ups=[
            ("Send the slides and the next dates to the team lead", today - timedelta(days=93)),
            ("Ask the team lead about a session just for the team", today - timedelta(days=70)),
        ],
    )
    for follow_up in meeting.follow_ups.all():
        services.outreach_follow_up_set_done(follow_up=follow_up, actor=rachel, done=True)
    helping = services.outreach_create(
        actor=rachel,
        kind="helping",
        date=today - timedelta(days=60),
        team=nursing,
        people_reached=3,
        went=[rachel, tom],
        notes="Helped the team lead set up the team's account and plan its first month of "
        "posts about the drop-in clinics.",
        follow_ups=[("Look at the team's first month of posts with them", today + timedelta(10))],
    )
    get_tweeting = Course.objects.get(slug="get-tweeting")
    starts = datetime.combine(
        today + timedelta(days=24), time(14, 0), timezone.get_current_timezone()
    )
    services.outreach_session_create(
        entry=helping,
        actor=rachel,
        course=get_tweeting,
        starts_at=starts,
        capacity=12,
        venue="Meeting room 1, Riverside Community Health offices",
        trainers=[rachel],
    )
    services.outreach_create(
        actor=tom,
        kind="stand",
        date=today - timedelta(days=30),
        audience="Nursing and midwifery conference",
        people_reached=45,
        went=[tom],
        notes="A stand with the course list and sign-ups for the e-mail alerts.",
    )
