"""The training offer: courses, sessions, series, bookings and attendance.

Rules a single row can check live here as database constraints. The two invariants that
matter most are constraints too, so no code path (admin, shell, a bug) can break them:

* a session's confirmed places never exceed its capacity — `Session.places_taken` is kept
  in the same transaction as every booking change and checked against `capacity`;
* a person holds at most one active (confirmed, offered or waiting) booking per session — a partial
  unique index.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from guildbook.core.models import TimeStampedModel
from guildbook.core.uploads import upload_check


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        super().save(*args, **kwargs)


class Course(TimeStampedModel):
    class Level(models.TextChoices):
        NOVICE = "novice", _("Novice")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    class Delivery(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        BOTH = "both", _("In person or online")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public — anyone can see it")
        STAFF = "staff", _("Staff only — signed-in people")
        CLOSED = "closed", _("Closed team session — by invitation link")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences for the catalogue.")
    description = models.TextField(blank=True)
    learning_outcomes = models.TextField(
        blank=True, help_text="One outcome a line: what people can do afterwards."
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.NOVICE)
    duration_minutes = models.PositiveIntegerField(default=90)
    audience = models.CharField(max_length=300, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses"
    )
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.STAFF
    )
    invitation_token = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)

    # Booking rules
    booking_opens_days = models.PositiveIntegerField(
        default=90, help_text="Booking opens this many days before a session starts."
    )
    booking_closes_hours = models.PositiveIntegerField(
        default=0, help_text="Booking closes this many hours before a session starts."
    )
    # People who asked "tell me when there's a date" hear of a new session first, and may
    # book this many days before everyone else (training/interest.py).
    interest_head_start_days = models.PositiveIntegerField(
        default=2,
        help_text="People who asked to hear of a new date may book this many days before "
        "everyone else (0: no head start).",
    )
    late_cancellation_hours = models.PositiveIntegerField(
        default=48, help_text="Cancelling within this many hours of the start counts as late."
    )
    waiting_list_enabled = models.BooleanField(default=True)

    class WaitingListMode(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic — a freed place goes to the next person waiting")
        OFFER = "offer", _("Offer — the next person waiting is offered the place to claim")

    waiting_list_mode = models.CharField(
        max_length=20,
        choices=WaitingListMode.choices,
        default=WaitingListMode.AUTOMATIC,
        help_text="In offer mode a freed place is held for the next person waiting for a "
        "limited time; in the last 24 hours everyone waiting is told and the first to claim "
        "it gets it.",
    )
    default_capacity = models.PositiveIntegerField(default=12)

    # Messages (see messages.py)
    reminder_hours = models.PositiveIntegerField(
        default=48, help_text="Send the reminder this many hours before a session starts."
    )
    confirmation_note = models.TextField(
        blank=True,
        help_text="Your own paragraph for the e-mail that confirms a place. You can use "
        "{first_name}, {course}, {start} and {venue}.",
    )
    reminder_note = models.TextField(
        blank=True,
        help_text="Your own paragraph for the reminder. You can use {first_name}, {course}, "
        "{start} and {venue}.",
    )

    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="courses_trained"
    )

    class Meta:
        ordering = ["title"]
        permissions = [
            ("run_training", "Can run courses and sessions, take registers and see bookings"),
            ("view_training_records", "Can see anyone's training record"),
            ("view_no_show_history", "Can see people's no-show history"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="course_duration_positive"
            ),
        ]
        # updated_at is indexed on courses, sessions and bookings so the catalogue's cache
        # version (the latest change of each) is a quick index look-up.
        indexes = [models.Index(fields=["updated_at"], name="course_updated_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200] or secrets.token_hex(4)
        if self.visibility == self.Visibility.CLOSED and not self.invitation_token:
            self.invitation_token = secrets.token_urlsafe(24)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("training:course", args=[self.slug])

    @property
    def outcomes(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.learning_outcomes.splitlines() if line.strip()]

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class CourseMaterial(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    file = models.FileField(upload_to="materials/", blank=True, validators=[upload_check])
    for_trainers_only = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="material_has_url_or_file"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def href(self) -> str:
        # Uploaded files are served through a view that applies the course's visibility,
        # never straight from MEDIA_ROOT.
        return reverse("training:material", args=[self.pk]) if self.file else self.url


class AgendaItem(models.Model):
    """A step of the session plan, shown to trainers: timed items and discussion points."""

    class Kind(models.TextChoices):
        ITEM = "item", _("Agenda item")
        DISCUSSION = "discussion", _("Discussion point")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="agenda")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ITEM)
    minutes = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class BookingQuestion(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        YES_NO = "yes_no", _("Yes or no")
        CHOICE = "choice", _("One of a list")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(blank=True, help_text="For “one of a list”: one choice a line.")
    required = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)
    # The course's "new to the library?" question (at most one a course): insights counts
    # the bookers whose answer was `new_answer` ("yes", or one of the choices).
    asks_if_new = models.BooleanField(
        "the “new to the library?” question",
        default=False,
        help_text="Insights counts the bookers who gave the answer that means new.",
    )
    new_answer = models.CharField(
        "the answer that means new",
        max_length=300,
        blank=True,
        help_text="For yes or no: yes or no. For one of a list: that choice, as written.",
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=models.Q(asks_if_new=True),
                name="one_new_to_library_question_per_course",
                violation_error_message="A course has one “new to the library?” question.",
            ),
            models.CheckConstraint(
                condition=models.Q(asks_if_new=False)
                | (models.Q(kind__in=["yes_no", "choice"]) & ~models.Q(new_answer="")),
                name="new_to_library_question_is_yes_no_or_choice",
                violation_error_message="The “new to the library?” question is a yes or no "
                "or a one-of-a-list question, with the answer that means new.",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]


class Series(TimeStampedModel):
    """A recurring pattern of sessions: "the second Tuesday of every other month at 10:00".

    Dates are computed in the service's local time so a 10:00 session stays at 10:00 across
    clock changes; the generated sessions are stored in UTC.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="series")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(default=1, help_text="Every 1, 2, 3… periods.")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    week_of_month = models.SmallIntegerField(
        null=True, blank=True, help_text="For monthly: 1–4, or -1 for the last."
    )
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    generate_months_ahead = models.PositiveSmallIntegerField(default=6)
    venue = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(blank=True)
    # Online, the joining link not known yet: "link to follow" (venues.py).
    link_to_follow = models.BooleanField(default=False)
    capacity = models.PositiveIntegerField()
    trainers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "series"
        constraints = [
            models.CheckConstraint(
                condition=Q(interval__gte=1) & Q(interval__lte=12), name="series_interval_range"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="series_weekday_range"),
            models.CheckConstraint(
                condition=Q(week_of_month__isnull=True) | Q(week_of_month__in=[-1, 1, 2, 3, 4]),
                name="series_week_of_month_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.describe()}"

    def describe(self) -> str:
        from guildbook.training.recurrence import describe_series

        return describe_series(self)


class Session(TimeStampedModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(blank=True, help_text="Shown only to people with a place.")
    # Online, the joining link not known yet: "link to follow" (venues.py).
    link_to_follow = models.BooleanField(default=False)
    capacity = models.PositiveIntegerField()
    places_taken = models.PositiveIntegerField(default=0, editable=False)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sessions_trained"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    detached = models.BooleanField(
        default=False, help_text="Edited on its own; later changes to the series leave it alone."
    )
    # The local date of the series occurrence this session was made for. It stays when the
    # session is moved, re-timed or cancelled, so extending the series never makes it again.
    series_date = models.DateField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=300, blank=True)
    register_closed_at = models.DateTimeField(null=True, blank=True)
    # Brought in by `import_history` from another system: history for insights, never a
    # reason to send e-mail (messages.py treats it as over).
    imported = models.BooleanField(default=False, editable=False)
    # A closed session: only this team's people (accounts' directory) see it and may book
    # it; the trainer shares its link with the team (outreach.py). A team with closed
    # sessions cannot be removed from the directory.
    for_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closed_sessions",
        help_text="Only this team's people can see and book the session.",
    )

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(places_taken__lte=F("capacity")), name="session_places_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["series", "series_date"],
                condition=Q(series_date__isnull=False),
                name="session_one_per_series_date",
            ),
        ]
        indexes = [
            models.Index(fields=["course", "starts_at"]),
            models.Index(fields=["updated_at"], name="session_updated_idx"),
        ]

    def __str__(self) -> str:
        from guildbook.core.timefmt import format_date, format_time

        return f"{self.course.title} — {format_date(self.starts_at)}, {format_time(self.starts_at)}"

    def get_absolute_url(self) -> str:
        return reverse("training:session", args=[self.pk])

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    def booking_opens_at(self):
        return self.starts_at - timedelta(days=self.course.booking_opens_days)

    def early_booking_opens_at(self):
        """When people told of this session through their interest in the course may book:
        the course's head start before everyone else."""
        return self.booking_opens_at() - timedelta(days=self.course.interest_head_start_days)

    @property
    def where(self) -> str:
        """Where the session is, in the same words for learners and trainers."""
        from guildbook.training.venues import where

        return where(self)

    @property
    def booking_opens_later(self) -> bool:
        """Booking has not opened yet: pages say when it opens instead of offering places."""
        return self.status == self.Status.SCHEDULED and timezone.now() < self.booking_opens_at()

    def booking_closes_at(self):
        return self.starts_at - timedelta(hours=self.course.booking_closes_hours)

    def late_cancellation_from(self):
        return self.starts_at - timedelta(hours=self.course.late_cancellation_hours)


class Booking(TimeStampedModel):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Place confirmed")
        WAITING = "waiting", _("On the waiting list")
        # A freed place held for this person until offer_expires_at (offer mode).
        OFFERED = "offered", _("Place offered")
        CANCELLED = "cancelled", _("Cancelled")

    class Ending(models.TextChoices):
        """Why a booking stopped being active."""

        CANCELLED = "cancelled", _("Cancelled by the person")
        LEFT_WAITING_LIST = "left_waiting_list", _("Left the waiting list")
        REMOVED = "removed", _("Removed by a trainer")
        MOVED = "moved", _("Moved to another session")
        SESSION_CANCELLED = "session_cancelled", _("The session was cancelled")
        DECLINED_OFFER = "declined_offer", _("Declined an offered place")
        OFFER_EXPIRED = "offer_expired", _("An offered place was not claimed in time")

    class Attendance(models.TextChoices):
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not attend")

    ACTIVE = (Status.CONFIRMED, Status.WAITING, Status.OFFERED)
    # The statuses that hold one of the session's places (counted in places_taken).
    HOLDING = (Status.CONFIRMED, Status.OFFERED)

    # Neither foreign key has an index of its own: the (session, status, waiting_since, id)
    # and (person, status) indexes in Meta start with them, and a booking burst pays for
    # every index on every insert.
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="bookings", db_index=False
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings", db_index=False
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    # Waiting-list order: first come, first served, ties broken by id.
    waiting_since = models.DateTimeField(null=True, blank=True)
    # Offer mode: the held place goes to the next person waiting at this time.
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=30, choices=Ending.choices, blank=True)
    late_cancellation = models.BooleanField(default=False)
    moved_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="moved_from"
    )
    answers = models.JSONField(default=dict, blank=True)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, blank=True)
    arrived_late = models.BooleanField(default=False)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the person answered "Still coming?" from their reminder.
    still_coming_at = models.DateTimeField(null=True, blank=True)
    # The calendar event of this place (calendar.py): a moved booking keeps the UID of the
    # booking it came from, so the event in people's calendars moves rather than doubling;
    # the sequence goes up with each change, so calendars take the newest invite.
    calendar_uid = models.CharField(max_length=120, blank=True, editable=False)
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["session__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=Q(status__in=["confirmed", "waiting", "offered"]),
                name="booking_one_active_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="waiting") | Q(waiting_since__isnull=False),
                name="booking_waiting_has_queue_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered")
                | (Q(waiting_since__isnull=False) & Q(offer_expires_at__isnull=False)),
                name="booking_offer_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(attendance="") | Q(status="confirmed"),
                name="booking_attendance_only_for_places",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "waiting_since", "id"]),
            models.Index(fields=["person", "status"]),
            models.Index(fields=["updated_at"], name="booking_updated_idx"),
            models.Index(fields=["status", "offer_expires_at"], name="booking_offer_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.session} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("training:booking", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def cancelling_is_late(self, now) -> bool:
        """Cancelling at `now` would be a late cancellation: the place is confirmed and the
        session starts within the course's late-cancellation notice."""
        return self.status == self.Status.CONFIRMED and now >= self.session.late_cancellation_from()

    @property
    def offer_open_to_claim(self) -> bool:
        """Waiting, in offer mode, in the last 24 hours, with a place free: the person may
        claim it (the first to claim gets it)."""
        from guildbook.training.offers import is_open_claim

        session = self.session
        return (
            self.status == self.Status.WAITING
            and session.course.waiting_list_mode == Course.WaitingListMode.OFFER
            and not session.is_cancelled
            and session.places_taken < session.capacity
            and is_open_claim(session.starts_at, timezone.now())
        )


class CourseInterest(models.Model):
    """ "Tell me when there's a date": a person's interest in a course with no date they can
    book. When a session is made, each open interest becomes an early BookingAlert on it
    (training/interest.py); once the person books, the interest is fulfilled and kept as
    history (insights counts it as demand)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="interests")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_interests"
    )
    created_at = models.DateTimeField(default=timezone.now)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One open interest per person and course; fulfilled ones stay as history.
            models.UniqueConstraint(
                fields=["course", "person"],
                condition=Q(fulfilled_at__isnull=True),
                name="course_interest_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.course}"


class BookingAlert(models.Model):
    """ "Tell me when booking opens": one person's request to be e-mailed as booking for a
    session opens. The e-mail is an outbox row about this alert, due at the opening, written
    with it (training/alerts.py); it moves when the opening moves.

    An alert made from a CourseInterest (`interest` set) is an early one: its e-mail is due,
    and its person may book, the course's head start before the opening."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="alerts")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_alerts"
    )
    created_at = models.DateTimeField(default=timezone.now)
    interest = models.ForeignKey(
        CourseInterest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="booking_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.session}"


class CalendarFeed(models.Model):
    """A person's private calendar feed: its secret key is the whole of the address that
    Outlook, Google and Apple Calendar subscribe to (they cannot sign in). Revoking deletes
    the row; a new key replaces the old one, whose address then answers 404 (feeds.py)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"


class OutreachEntry(TimeStampedModel):
    """Outreach: taking the service to people where they are — a presentation at a team
    meeting, helping a service, a stand or drop-in (training/outreach.py). Written by
    training.services.outreach; insights reads what followed it."""

    class Kind(models.TextChoices):
        PRESENTATION = "presentation", _("A presentation at a team meeting")
        HELPING = "helping", _("Helping a service")
        STAND = "stand", _("A stand or drop-in")
        OTHER = "other", _("Something else")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRESENTATION)
    date = models.DateField()
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_entries",
    )
    # Who was there when they are not one team of the directory ("Nursing students' fair").
    audience = models.CharField(max_length=200, blank=True)
    people_reached = models.PositiveIntegerField(null=True, blank=True)
    went = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    notes = models.TextField(blank=True)
    # Closed sessions made for the team from this entry.
    sessions = models.ManyToManyField(Session, blank=True, related_name="outreach_entries")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "outreach entries"
        permissions = [("log_outreach", "Can log outreach and see what followed it")]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | ~Q(audience=""), name="outreach_has_audience"
            ),
        ]
        indexes = [models.Index(fields=["date"], name="outreach_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.who}"

    def get_absolute_url(self) -> str:
        return reverse("training:outreach_entry", args=[self.pk])

    @property
    def who(self) -> str:
        """The team's name (from the directory), else the audience typed."""
        return self.team.name if self.team_id else self.audience


class OutreachFollowUp(models.Model):
    """Something to do after an outreach visit, with an optional due date."""

    entry = models.ForeignKey(OutreachEntry, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["done", "due_on", "id"]

    def __str__(self) -> str:
        return self.text
