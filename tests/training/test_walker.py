"""Every training page as anonymous, a learner, a trainer and a development officer, with
other people's objects (tests/walker.py)."""

from datetime import date

from guildbook.training import services
from tests.factories import (
    BookingFactory,
    CourseFactory,
    SessionFactory,
    UserFactory,
    directory_team,
)
from tests.walker import BAD, LOGIN, NOT_FOUND, OK, POST_ONLY, walk

ROLES = ("anonymous", "learner", "trainer", "officer")


def rule(**outcomes):
    return {role: set(outcomes.get(role, ())) for role in ROLES}


SIGNED_IN = {LOGIN}
TRAINERS_ONLY = rule(
    anonymous=SIGNED_IN, learner={NOT_FOUND}, officer={NOT_FOUND}, trainer={OK, POST_ONLY}
)
EVERYONE_SIGNED_IN = rule(anonymous=SIGNED_IN, learner={OK}, officer={OK}, trainer={OK})
CHANGES_ONLY = {role: {POST_ONLY} for role in ROLES}  # GET never changes anything

# Rows in order; the first whose glob matches a URL name applies.
EXPECT = [
    ("manage*", TRAINERS_ONLY),
    # The outreach log: trainers and staff development officers; a closed session from an
    # entry is scheduled by trainers alone.
    ("outreach_session_create", TRAINERS_ONLY),
    (
        "outreach_follow_up*",
        rule(anonymous=SIGNED_IN, learner={NOT_FOUND}, officer={POST_ONLY}, trainer={POST_ONLY}),
    ),
    ("outreach*", rule(anonymous=SIGNED_IN, learner={NOT_FOUND}, officer={OK}, trainer={OK})),
    # Importing history is for administrators alone: 404 to everyone else who is signed in.
    (
        "import_history",
        rule(anonymous=SIGNED_IN, learner={NOT_FOUND}, officer={NOT_FOUND}, trainer={NOT_FOUND}),
    ),
    # Someone else's booking: 404 to everyone but trainers, who open anyone's to help.
    (
        "booking",
        rule(anonymous=SIGNED_IN, learner={NOT_FOUND}, officer={NOT_FOUND}, trainer={OK}),
    ),
    # ...but cancelling it, or its calendar file, is the person's own business: 404.
    (
        "booking_cancel",
        rule(anonymous=SIGNED_IN, learner={NOT_FOUND}, officer={NOT_FOUND}, trainer={NOT_FOUND}),
    ),
    (
        "booking_ics",
        rule(anonymous=SIGNED_IN, learner={NOT_FOUND}, officer={NOT_FOUND}, trainer={NOT_FOUND}),
    ),
    (
        "booking_claim",
        rule(anonymous=SIGNED_IN, learner={POST_ONLY}, officer={POST_ONLY}, trainer={POST_ONLY}),
    ),
    # Links from e-mails, made up: refused for everyone (400), signed in or not.
    ("booking_link_*", rule(anonymous={BAD}, learner={BAD}, officer={BAD}, trainer={BAD})),
    (
        "*_feed",
        rule(anonymous={NOT_FOUND}, learner={NOT_FOUND}, officer={NOT_FOUND}, trainer={NOT_FOUND}),
    ),
    ("catalogue", rule(anonymous={OK}, learner={OK}, officer={OK}, trainer={OK})),
    # A staff course is for signed-in staff only.
    ("course", rule(anonymous={NOT_FOUND}, learner={OK}, officer={OK}, trainer={OK})),
    ("session", rule(anonymous={NOT_FOUND}, learner={OK}, officer={OK}, trainer={OK})),
    (
        "material",
        rule(anonymous={NOT_FOUND}, learner={NOT_FOUND}, officer={NOT_FOUND}, trainer={NOT_FOUND}),
    ),
    ("session_book", CHANGES_ONLY),
    (
        "alert_create",
        rule(anonymous=SIGNED_IN, learner={POST_ONLY}, officer={POST_ONLY}, trainer={POST_ONLY}),
    ),
    (
        "alert_remove",
        rule(anonymous=SIGNED_IN, learner={POST_ONLY}, officer={POST_ONLY}, trainer={POST_ONLY}),
    ),
    # "Tell me when there's a date" on a course page: buttons, for the signed-in.
    (
        "interest_*",
        rule(anonymous=SIGNED_IN, learner={POST_ONLY}, officer={POST_ONLY}, trainer={POST_ONLY}),
    ),
    (
        "my_calendar_*",
        rule(anonymous=SIGNED_IN, learner={POST_ONLY}, officer={POST_ONLY}, trainer={POST_ONLY}),
    ),
    ("my_*", EVERYONE_SIGNED_IN),
    # Other people's records: development officers only.
    (
        "people",
        rule(anonymous=SIGNED_IN, learner={NOT_FOUND}, officer={OK}, trainer={NOT_FOUND}),
    ),
    (
        "person_record*",
        rule(anonymous=SIGNED_IN, learner={NOT_FOUND}, officer={OK}, trainer={NOT_FOUND}),
    ),
]


def test_every_training_page_answers_each_role_as_the_table_says(person, trainer, officer):
    someone = UserFactory(name="Someone Else")
    course = CourseFactory()
    session = SessionFactory(course=course)
    booking = BookingFactory(session=session, person=someone)
    entry = services.outreach_create(
        actor=officer,
        kind="presentation",
        date=date(2026, 10, 6),
        team=directory_team(),
        follow_ups=[("Send the slides", None)],
    )
    ids = {"slug": course.slug, "token": "not-a-real-link", "key": "not-a-real-key"}

    def fill(name, param):
        if param != "pk":
            return ids[param]
        if name == "outreach_follow_up":
            return entry.follow_ups.get().pk
        if name.startswith("outreach"):
            return entry.pk
        if "booking" in name or name in ("manage_attendance",):
            return booking.pk
        if name in ("person_record", "person_record_csv", "person_record_pdf"):
            return someone.pk
        return session.pk

    requests = walk(
        namespace="training",
        people={"anonymous": None, "learner": person, "trainer": trainer, "officer": officer},
        fill=fill,
        expect=EXPECT,
    )
    assert requests > 150
