"""`guildbook demo [--if-empty] [--seed N] [--password P]`: load a believable library service.

Two years of a library and knowledge service's training: a dozen courses, sessions from
eighteen months ago to six months ahead, a few hundred people in two NHS trusts, and their
bookings, cancellations, waiting lists and registers.

Everything is written through the services, as the people involved would have done it at
the time: the command runs them under a clock set to the moment of each step, so audit
entries, booking times, late cancellations and the promotions they cause are all dated as
they would have been. The clock is this command's own; nothing else sees it.
"""

from __future__ import annotations

import json
import random
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from unittest import mock

from dateutil.relativedelta import relativedelta
from dateutil.rrule import weekday as rrule_weekday
from django.apps import apps
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone

from guildbook.accounts.models import User
from guildbook.accounts.services import user_create, user_role_add
from guildbook.core import roles
from guildbook.core.errors import ServiceError
from guildbook.core.management.base import GuildbookCommand
from guildbook.core.timefmt import format_date
from guildbook.notifications.services import outbox_void_overdue
from guildbook.training import services
from guildbook.training.management.commands import _demo_catalogue as catalogue
from guildbook.training.management.commands import _demo_outreach
from guildbook.training.models import Booking, Category, Course, Session

_REAL_NOW = timezone.now


class Clock:
    """The time the services see while the demo loads: `at`, or the real time when None."""

    def __init__(self):
        self.at: datetime | None = None

    def now(self) -> datetime:
        return self.at if self.at is not None else _REAL_NOW()


@contextmanager
def time_travel():
    """Let this command set the time that `timezone.now()` answers, until the block ends.

    Model fields whose default is `timezone.now` (created_at, AuditEntry.at…) hold the
    function itself, so they are pointed at the clock too, and back afterwards.
    """
    clock = Clock()
    fields = [
        f
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if getattr(f, "default", None) is _REAL_NOW
    ]

    def set_default(value):
        for f in fields:
            f.default = value
            f.__dict__.pop("_get_default", None)  # Field caches the default callable

    with mock.patch.object(timezone, "now", clock.now):
        set_default(clock.now)
        try:
            yield clock
        finally:
            set_default(_REAL_NOW)


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    args: dict = field(compare=False, default_factory=dict)


@dataclass
class Figures:
    skipped: int = 0
    by_trainer: int = 0
    added_by_email: int = 0


def local(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hours, minutes)))


class DemoLoader:
    def __init__(self, *, clock: Clock, rng: random.Random, password: str | None):
        self.clock = clock
        self.rng = rng
        self.password = password
        self.now = _REAL_NOW()
        self.today = timezone.localdate(self.now)
        # The story starts on the first of the month eighteen months ago.
        self.start = (self.today - relativedelta(months=18)).replace(day=1)
        self.figures = Figures()
        self.people: list[User] = []
        self.by_name: dict[str, User] = {}
        self.accounts: list[tuple[str, User, str]] = []
        self.courses: dict[str, Course] = {}
        self.specs = {spec["slug"]: spec for spec in catalogue.COURSES}
        self.bookings: dict[tuple[int, int], Booking] = {}
        self.events: list[Event] = []
        self.used_emails: set[str] = set()
        self.questions: dict[int, list] = {}

    # --- the clock ---------------------------------------------------------------------

    def at(self, moment: datetime) -> None:
        # Never in the future: what has not happened yet is not loaded.
        self.clock.at = min(moment, self.now)

    def event(self, at: datetime, kind: str, **args) -> None:
        if at <= self.now:
            self.events.append(Event(at, len(self.events), kind, args))

    def book(
        self, at: datetime, session: Session, person: User, *, actor: User | None = None
    ) -> None:
        """A booking at `at` by `actor` (the person themselves unless given), with answers to
        the course's booking questions."""
        self.event(
            at,
            "book",
            session=session,
            person=person,
            actor=actor or person,
            answers=self.answers(session.course),
        )

    # --- people --------------------------------------------------------------------------

    def made_up_name(self) -> str:
        return f"{self.rng.choice(catalogue.FIRST_NAMES)} {self.rng.choice(catalogue.LAST_NAMES)}"

    def email_for(self, name: str, organisation: str) -> str:
        local_part = re.sub(r"[^a-z.]", "", name.lower().replace(" ", "."))
        domain = catalogue.DOMAINS[organisation]
        email, n = f"{local_part}@{domain}", 2
        while email in self.used_emails:
            email, n = f"{local_part}{n}@{domain}", n + 1
        self.used_emails.add(email)
        return email

    def load_people(self) -> None:
        self.at(local(self.start - timedelta(days=45), "09:00"))
        for role, name, job, team, org in catalogue.ROLE_ACCOUNTS:
            password = self.password or "-".join(
                [secrets.choice(PASSWORD_WORDS) for _ in range(3)]
                + [str(secrets.randbelow(90) + 10)]
            )
            user = user_create(
                email=self.email_for(name, org),
                name=name,
                job_title=job,
                team=team,
                organisation=org,
                role=role,
                password=password,
            )
            self.accounts.append((roles.role_group_name(role), user, password))
            self.by_name[name] = user
        admin = self.by_name["Alex Morgan"]
        for name, job, team, org in catalogue.TRAINERS:
            self.by_name[name] = user_create(
                email=self.email_for(name, org),
                name=name,
                job_title=job,
                team=team,
                organisation=org,
                role="trainer",
                actor=admin,
            )
        # The library's manager runs the portfolio course as well as mentoring.
        user_role_add(user=self.by_name["Margaret Ellis"], role="trainer", actor=admin)
        user_role_add(user=self.by_name["Helen Price"], role="mentor", actor=admin)
        self.learner = self.by_name["Jamie Carter"]

        self.at(local(self.start - timedelta(days=40), "10:00"))
        for team, (org, count, titles) in catalogue.TEAMS.items():
            for _ in range(count):
                name = self.made_up_name()
                self.people.append(
                    user_create(
                        email=self.email_for(name, org),
                        name=name,
                        job_title=self.rng.choice(titles),
                        team=team,
                        organisation=org,
                        actor=admin,
                    )
                )

    # --- courses ---------------------------------------------------------------------------

    def load_courses(self) -> None:
        self.at(local(self.start - timedelta(days=30), "11:00"))
        admin = self.by_name["Alex Morgan"]
        categories = {}
        # Categories are plain lookup rows, kept in the admin: there is no service for them.
        for name in catalogue.CATEGORIES:
            categories[name], _ = Category.objects.get_or_create(name=name)
        course_fields = services.COURSE_FIELDS - {"category", "status", "slug"}
        for spec in catalogue.COURSES:
            trainers = [self.by_name[n] for n in spec["trainers"]]
            course = services.course_create(
                actor=admin,
                trainers=trainers,
                slug=spec["slug"],
                category=categories[spec["category"]],
                **{k: v for k, v in spec.items() if k in course_fields},
            )
            services.course_plan_set(
                course=course,
                actor=trainers[0],
                agenda=spec["agenda"],
                questions=spec["questions"],
                materials=spec["materials"],
            )
            self.courses[spec["slug"]] = course

    # --- sessions --------------------------------------------------------------------------

    def load_sessions(self) -> None:
        for slug, spec in self.specs.items():
            course, plan = self.courses[slug], spec["schedule"]
            trainers = [self.by_name[n] for n in spec["trainers"]]
            place = {"venue": spec.get("venue", ""), "online_link": spec.get("online_link", "")}
            if plan["kind"] == "get_tweeting":
                switch = self.every_other_month_from(plan)
                self.series(course, plan, trainers, place, self.start, interval=1, ends_on=switch)
                self.series(course, plan, trainers, place, switch, interval=2, created=switch)
            elif plan["kind"] == "series":
                self.series(course, plan, trainers, place, self.start, interval=plan["interval"])
            elif plan["kind"] == "every":
                self.one_offs(course, plan, trainers, place)
            elif plan["kind"] == "team":
                for months in plan["months"]:
                    day = self.start + relativedelta(months=months, weekday=2)
                    self.one_off(course, local(day, "13:30"), trainers[:1], place)

    def every_other_month_from(self, plan) -> date:
        """When a monthly course goes every other month: after a year (or a year and a
        month), whichever puts a session a couple of weeks to a couple of months ahead of
        today, so the popular upcoming session always has its waiting list."""
        switch = self.start + relativedelta(months=12)
        nth = relativedelta(day=1, weekday=rrule_weekday(plan["weekday"])(plan["week"]))
        month = self.today.replace(day=1)
        while month + nth < self.today + timedelta(days=7):
            month += relativedelta(months=1)
        months = (month.year - switch.year) * 12 + month.month - switch.month
        return switch + relativedelta(months=months % 2)

    def series(
        self, course, plan, trainers, place, starts_on, *, interval, ends_on=None, created=None
    ):
        """A series set up a fortnight before it starts (or at `created`, before a change of
        pattern), then topped up on the first of each month as its horizon moves on."""
        created = created - relativedelta(months=2) if created else starts_on - timedelta(days=14)
        self.at(local(created, "09:00"))
        series = services.series_create(
            course=course,
            frequency="monthly",
            interval=interval,
            weekday=plan["weekday"],
            week_of_month=plan["week"],
            start_time=time(*(int(x) for x in plan["time"].split(":"))),
            starts_on=starts_on,
            ends_on=ends_on and ends_on - timedelta(days=1),
            capacity=course.default_capacity,
            trainers=trainers,
            actor=trainers[0],
            **place,
        )
        tick = created.replace(day=1) + relativedelta(months=1)
        while tick <= self.today and (ends_on is None or tick < ends_on):
            self.at(local(tick, "06:00"))
            services.series_extend(series=series, actor=None)
            tick += relativedelta(months=1)

    def one_offs(self, course, plan, trainers, place) -> None:
        first = self.start + timedelta(days=self.rng.randrange(7 * plan["weeks"] // 2 + 1))
        day = first + timedelta(days=(plan["weekday"] - first.weekday()) % 7)
        last = (
            self.start + relativedelta(months=plan["until"])
            if "until" in plan
            else self.today + relativedelta(months=6)
        )
        n = 0
        while day <= last:
            self.one_off(course, local(day, plan["time"]), [trainers[n % len(trainers)]], place)
            day += timedelta(weeks=plan["weeks"])
            n += 1

    def one_off(self, course, starts_at, trainers, place) -> None:
        # Planned about a hundred days ahead, before booking opens.
        self.at(
            max(starts_at - timedelta(days=100), local(self.start, "09:00") - timedelta(days=30))
        )
        services.session_create(
            course=course, starts_at=starts_at, trainers=trainers, actor=trainers[0], **place
        )

    # --- what people did -------------------------------------------------------------------

    def plan_bookings(self) -> None:
        sessions = list(
            Session.objects.select_related("course", "series").order_by("starts_at", "id")
        )
        booked_course: dict[str, set[int]] = {}
        for session in sessions:
            spec = self.specs[session.course.slug]
            params = {k: spec[k] for k in ("demand", "cancel", "late", "no_show")}
            if session.series and session.series.interval == 2 and "every_other_month" in spec:
                params.update(spec["every_other_month"])
            opens = max(session.booking_opens_at(), session.created_at + timedelta(hours=1))
            closes = session.booking_closes_at() - timedelta(minutes=30)
            if closes <= opens:
                continue
            trainer = self.by_name[spec["trainers"][0]]
            seen = booked_course.setdefault(session.course.slug, set())
            if spec.get("repeat_attendees"):
                seen.clear()
            wanted = round(session.capacity * params["demand"] * self.rng.uniform(0.75, 1.25))
            for person in self.choose_people(spec, wanted, exclude=seen):
                seen.add(person.pk)
                # Bookings come in thick and fast once booking opens; a few leave it late.
                booked = opens + (closes - opens) * self.rng.betavariate(0.9, 3.0)
                by_trainer = self.rng.random() < 0.08
                self.book(booked, session, person, actor=trainer if by_trainer else person)
                if self.rng.random() < params["cancel"]:
                    self.event(
                        self.cancel_time(session, booked, params),
                        "cancel",
                        session=session,
                        person=person,
                    )
            if self.rng.random() < 0.05:
                # Someone new rings the library and the trainer books them in by e-mail.
                name = self.made_up_name()
                self.event(
                    opens + (closes - opens) * self.rng.uniform(0.3, 0.9),
                    "add_person",
                    session=session,
                    name=name,
                    email=self.email_for(name, catalogue.HOSPITALS),
                    actor=trainer,
                )
            # The register is taken at the end, except for sessions in the last few days.
            if session.ends_at < self.now - timedelta(days=3):
                self.event(
                    session.ends_at + timedelta(minutes=20),
                    "register",
                    session=session,
                    actor=trainer,
                    no_show=params["no_show"],
                )

    def cancel_time(self, session, booked: datetime, params) -> datetime:
        late_from = session.late_cancellation_from()
        last = session.starts_at - timedelta(minutes=30)
        if self.rng.random() < params["late"] or booked >= late_from - timedelta(hours=2):
            start = max(booked, late_from) + timedelta(minutes=5)
            return start + (last - start) * self.rng.random()
        return (
            booked
            + timedelta(hours=1)
            + (late_from - booked - timedelta(hours=2)) * self.rng.random()
        )

    def choose_people(self, spec, wanted: int, *, exclude: set[int]) -> list[User]:
        weights_by_team = spec["audience_weights"]
        default = weights_by_team.get("*", 1)
        pool, weights = [], []
        for person in self.people:
            weight = weights_by_team.get(person.team, default)
            if weight > 0 and person.pk not in exclude:
                pool.append(person)
                weights.append(weight)
        chosen: dict[int, User] = {}
        attempts = 0
        while pool and len(chosen) < min(wanted, len(pool)) and attempts < wanted * 20:
            person = self.rng.choices(pool, weights)[0]
            chosen[person.pk] = person
            attempts += 1
        return list(chosen.values())

    def answers(self, course: Course) -> dict:
        result = {}
        if course.pk not in self.questions:
            self.questions[course.pk] = list(course.questions.all())
        for q in self.questions[course.pk]:
            if q.kind == "yes_no":
                value = "yes" if self.rng.random() < 0.35 else "no"
            elif q.kind == "choice":
                value = self.rng.choice(q.choice_list)
            elif "access" in q.text:
                if self.rng.random() > 0.06:
                    continue
                value = self.rng.choice(catalogue.ACCESS_ANSWERS)
            elif self.rng.random() < 0.7:
                hopes = catalogue.HOPE_ANSWERS
                value = self.rng.choice(hopes.get(course.slug, hopes["*"]))
            else:
                continue
            result[str(q.pk)] = value
        return result

    def plan_story(self) -> None:
        """A few things that happen in every library: a trainer off sick, a room lost, a
        bigger room found, and one learner's own history to look at."""
        sessions = Session.objects.select_related("course", "series")
        lit = list(sessions.filter(course=self.courses["literature-searching"]))
        past_lit = [s for s in lit if s.starts_at < self.now - timedelta(days=120)]
        if len(past_lit) >= 6:
            sick, target = past_lit[4], past_lit[5]
            self.event(
                sick.starts_at - timedelta(days=3),
                "cancel_session",
                session=sick,
                move_to=target,
                actor=self.by_name["Chris Adeyemi"],
                reason="The trainer is unwell. Everyone booked has been moved to the next session.",
            )
        soon = [
            s
            for s in sessions.filter(course=self.courses["health-literacy"])
            if self.now + timedelta(days=10) < s.starts_at < self.now + timedelta(days=80)
        ]
        if soon:
            self.event(
                self.now - timedelta(days=1),
                "cancel_session",
                session=soon[0],
                move_to=None,
                actor=self.by_name["Rachel Okafor"],
                reason="The seminar room is closed for refurbishment. A new date will follow.",
            )
        cilip = [
            s
            for s in sessions.filter(
                course=self.courses["introduction-to-cilip-certification-and-chartership"]
            )
            if s.starts_at < self.now - timedelta(days=10)
        ]
        if cilip:
            self.event(
                cilip[-1].starts_at - timedelta(days=9),
                "capacity",
                session=cilip[-1],
                capacity=cilip[-1].capacity + 4,
                actor=self.by_name["Margaret Ellis"],
            )
        # Jamie, the learner whose password is printed: one course attended, one booked,
        # and a place on a waiting list.
        tweeting = list(sessions.filter(course=self.courses["get-tweeting"]))
        attended = [
            s for s in tweeting if s.series and s.series.interval == 2 and s.ends_at < self.now
        ]
        if attended:
            s = attended[0]
            self.book(s.booking_opens_at() + timedelta(hours=2), s, self.learner)
        upcoming = [
            s for s in tweeting if s.starts_at > self.now and s.booking_opens_at() < self.now
        ]
        if upcoming:
            self.book(self.now - timedelta(hours=2), upcoming[0], self.learner)
        next_lit = [
            s
            for s in lit
            if s.starts_at > self.now + timedelta(days=1) and s.booking_opens_at() < self.now
        ]
        if next_lit:
            self.book(self.now - timedelta(days=2), next_lit[0], self.learner)

    def run_events(self) -> None:
        for event in sorted(self.events):
            self.at(event.at)
            try:
                getattr(self, f"do_{event.kind}")(**event.args)
            except ServiceError:
                # Something the simulation asked for that a real person would have been
                # refused too (booking a session that was cancelled meanwhile, say).
                self.figures.skipped += 1

    def do_book(self, *, session, person, actor, answers) -> None:
        booking = services.booking_create(
            session=session, person=person, actor=actor, answers=answers, now=self.clock.at
        )
        self.bookings[(session.pk, person.pk)] = booking
        self.figures.by_trainer += actor != person

    def do_add_person(self, *, session, name, email, actor) -> None:
        booking = services.booking_add_person(session=session, email=email, name=name, actor=actor)
        self.bookings[(session.pk, booking.person_id)] = booking
        self.figures.added_by_email += 1

    def do_cancel(self, *, session, person) -> None:
        booking = self.bookings.get((session.pk, person.pk))
        if booking is not None:
            services.booking_cancel(booking=booking, actor=person, now=self.clock.at)

    def do_register(self, *, session, actor, no_show) -> None:
        for booking in session.bookings.filter(status=Booking.Status.CONFIRMED).order_by("id"):
            attended = booking.person_id == self.learner.pk or self.rng.random() >= no_show
            services.attendance_record(
                booking=booking,
                attended=attended,
                arrived_late=attended and self.rng.random() < 0.08,
                actor=actor,
            )

    def do_cancel_session(self, *, session, move_to, actor, reason) -> None:
        services.session_cancel(session=session, move_to=move_to, actor=actor, reason=reason)

    def do_capacity(self, *, session, capacity, actor) -> None:
        services.session_set_capacity(session=session, capacity=capacity, actor=actor)

    def archive(self) -> None:
        for slug, spec in self.specs.items():
            if "archive_after_months" in spec:
                self.at(
                    local(self.start + relativedelta(months=spec["archive_after_months"]), "09:00")
                )
                services.course_update(
                    course=self.courses[slug],
                    actor=self.by_name["Alex Morgan"],
                    status=Course.Status.ARCHIVED,
                )

    def load(self) -> None:
        self.load_people()
        self.load_courses()
        self.load_sessions()
        self.plan_bookings()
        self.plan_story()
        self.run_events()
        self.archive()
        self.clock.at = None


PASSWORD_WORDS = (  # noqa: SIM905 (a list of words reads better as words)
    "atlas beacon candle cedar comet ember fjord harbour heron juniper kestrel lantern maple "
    "meadow orchard pebble quill raven saffron thistle willow"
).split()


class Command(GuildbookCommand):
    help = (
        "Load a demo library service into an empty database: courses, two years of "
        "sessions, a few hundred people and their bookings. Prints how to sign in as a "
        "learner, trainer, mentor, staff development officer and administrator."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) when there are courses already.",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed for the made-up people and bookings."
        )
        parser.add_argument(
            "--password",
            default="",
            help="One password for the five sign-in accounts (default: new random ones).",
        )

    def handle(self, *args, **options):
        if Course.objects.exists():
            if options["if_empty"]:
                if options["verbosity"] > 1:
                    self.stdout.write("There are courses already, so the demo was not loaded.")
                self.sign_in_details(saved_sign_ins())
                return
            raise CommandError(
                "There are courses already: the demo loads only into an empty database."
            )
        domains = Q()
        for domain in catalogue.DOMAINS.values():
            domains |= Q(email__endswith=f"@{domain}")
        clash = User.objects.filter(domains).first()
        if clash:
            raise CommandError(f"{clash.email} exists already: the demo needs an empty database.")
        with time_travel() as clock:
            loader = DemoLoader(
                clock=clock,
                rng=random.Random(options["seed"]),
                password=options["password"] or None,
            )
            loader.load()
        _load_history(seed=options["seed"])
        _demo_outreach.load_outreach()
        # Apps above training add their part of the story by command name (training never
        # imports them): the follow-up surveys' answers, for instance.
        for extra in ("demo_surveys", "demo_qualifications", "demo_portfolios"):
            if extra in get_commands():
                call_command(extra, seed=options["seed"], verbosity=options["verbosity"])
        # The history's e-mails (confirmations from months ago, reminders for sessions long
        # over) are not news: only what falls due from now on will be sent.
        outbox_void_overdue(before=timezone.now())
        self.report(loader, verbosity=options["verbosity"])

    def report(self, loader: DemoLoader, *, verbosity: int) -> None:
        sessions = Session.objects.aggregate(
            n=Count("id"), first=Min("starts_at"), last=Max("starts_at")
        )
        bookings = Booking.objects.aggregate(
            n=Count("id"),
            cancelled=Count("id", filter=Q(ending=Booking.Ending.CANCELLED)),
            late=Count("id", filter=Q(late_cancellation=True)),
            no_show=Count("id", filter=Q(attendance=Booking.Attendance.NO_SHOW)),
            waiting=Count(
                "id",
                filter=Q(status=Booking.Status.WAITING, session__starts_at__gt=loader.now),
            ),
        )
        w = self.stdout.write
        w(
            f"Loaded the demo: {Course.objects.count()} courses; {sessions['n']:,} sessions from "
            f"{format_date(sessions['first'])} to {format_date(sessions['last'])}; "
            f"{User.objects.count():,} people; {bookings['n']:,} bookings, of which "
            f"{bookings['cancelled']:,} cancelled ({bookings['late']:,} late), "
            f"{bookings['no_show']:,} no-shows and {bookings['waiting']:,} on waiting lists now."
        )
        if verbosity > 1:
            f = loader.figures
            w(
                f"{f.by_trainer} bookings were made by a trainer for someone, "
                f"{f.added_by_email} people were added by e-mail; steps the services refused "
                f"(as they would have refused the people concerned): {f.skipped}."
            )
        w("")
        accounts = [(role, user.email, password) for role, user, password in loader.accounts]
        save_sign_ins(accounts)
        self.sign_in_details(accounts)

    def sign_in_details(self, accounts: list[tuple[str, str, str]]) -> None:
        """How to sign in, at the address served now (printed on every `make run`)."""
        w = self.stdout.write
        w(f"Sign in at {settings.SITE_URL}{reverse('account_login')}")
        if accounts:
            width = max(len(email) for _r, email, _p in accounts)
            for role, email, password in accounts:
                w(f"  {role:<27} {email:<{width}}  password: {password}")
            w(f"(These are kept in {sign_ins_file()}.)")
            w("Everyone else signs in with a code sent by e-mail", ending="")
        else:
            w("Everyone signs in with a code sent by e-mail", ending="")
        if settings.GUILDBOOK_DEV_MAILBOX:
            w(f": staff read it at {settings.SITE_URL}{reverse('notifications:dev_mailbox')}.")
        else:
            w(".")


def sign_ins_file() -> Path:
    """The demo's passwords, kept beside the demo's database so that each `make run` can
    print them again (development only: the demo's accounts are made-up people)."""
    return Path(settings.VAR_DIR) / "demo-sign-in.json"


def save_sign_ins(accounts: list[tuple[str, str, str]]) -> None:
    path = sign_ins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(accounts, indent=1))


def saved_sign_ins() -> list[tuple[str, str, str]]:
    try:
        return [tuple(a) for a in json.loads(sign_ins_file().read_text())]
    except (OSError, ValueError):
        return []


def _load_history(*, seed: int) -> None:
    """Three years of imported history before the demo's own sessions begin, for insights:
    Get Tweeting monthly and then every other month, and two other courses."""
    from guildbook.training.history import history_import
    from guildbook.training.history_demo import demo_courses, history_csv, history_rows

    first = Session.objects.aggregate(first=Min("starts_at"))["first"]
    if first is None:
        return
    result = history_import(
        text=history_csv(history_rows(demo_courses(timezone.localdate(first)), seed=seed))
    )
    if result.errors:  # the generator's own rows: a mistake here is a bug
        raise CommandError("; ".join(str(e) for e in result.errors[:5]))
