"""Follow-up surveys: templates (versioned), a course's survey moments, invitations, answers.

The shape, from the top:

- A `SurveyTemplate` is a list of `Question`s. Templates are versioned: rows that share a
  `family` are versions of one template, and exactly one of them is current. Once a version
  has answers it is never edited again; editing makes a new version (services), so old
  answers always point at the questions that were asked.
- A `SurveyMoment` says, per course, "send this template N days after each session ends":
  the follow-up at 30 days (every course gets one) and, optionally, more ("how was it?" the
  same day). It carries the reminder and closing delays, anonymity, an optional external
  survey link, and the optional note to no-shows.
- An `Invitation` is one attended booking invited by one moment. It is created with its
  outbox rows in the transaction that records the attendance, and carries the random key
  its links are signed over. It knows whether it was answered, never what the answer was
  when the moment is anonymous.
- A `Response` holds one set of answers (`Answer` rows). A named response points at its
  invitation. An anonymous response points at nothing personal: its session and moment
  only, a random UUID as key (so ids say nothing about the order people answered in), and
  no time of its own.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guildbook.core.models import TimeStampedModel


class SurveyTemplate(TimeStampedModel):
    family = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    is_current = models.BooleanField(default=True, editable=False)
    title = models.CharField(max_length=200)
    intro = models.TextField(
        blank=True, help_text=_("Shown above the questions, e.g. why the answers matter.")
    )
    # The built-in follow-up that new courses use; there is one current default.
    is_default = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="survey_template_version"),
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(is_current=True),
                name="survey_template_one_current",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True, is_current=True),
                name="survey_template_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.title if self.version == 1 else f"{self.title} (version {self.version})"


class Question(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes or no")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        SCALE = "scale", _("A scale from 1 to 5")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")

    CHOICE_KINDS = (Kind.YES_NO, Kind.SINGLE, Kind.MULTIPLE)
    TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    # The question whose "yes" answers make the impact rate ("have you used it since?").
    is_impact = models.BooleanField(default=False)
    # For a scale: the words at each end ("Not at all confident" ... "Very confident").
    scale_low_label = models.CharField(max_length=60, blank=True)
    scale_high_label = models.CharField(max_length=60, blank=True)
    # "Show if the answer to question 1 is Not yet": both set, or neither.
    show_if_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="dependents"
    )
    show_if_choice = models.ForeignKey(
        "Choice", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["template", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="question_position"),
            models.UniqueConstraint(
                fields=["template"], condition=Q(is_impact=True), name="question_one_impact"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["yes_no", "single", "multiple", "scale", "short_text", "long_text"]
                ),
                name="question_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(show_if_question__isnull=True, show_if_choice__isnull=True)
                | Q(show_if_question__isnull=False, show_if_choice__isnull=False),
                name="question_condition_complete",
            ),
            # Only a question with choices can be the impact question.
            models.CheckConstraint(
                condition=Q(is_impact=False) | Q(kind__in=["yes_no", "single"]),
                name="question_impact_has_choices",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField()
    label = models.CharField(max_length=120)
    # On the impact question: does this answer count as "yes, I have used it"?
    counts_as_impact = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_position"),
        ]

    def __str__(self) -> str:
        return self.label


class SurveyMoment(TimeStampedModel):
    """When and how a course's sessions are surveyed. Times count from the session's end."""

    course = models.ForeignKey(
        "training.Course", on_delete=models.CASCADE, related_name="survey_moments"
    )
    name = models.CharField(max_length=100, default=_("Follow-up"))
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="+")
    days_after = models.PositiveIntegerField(default=30)
    reminder_after_days = models.PositiveIntegerField(
        null=True, blank=True, default=7, help_text=_("Leave empty for no reminder.")
    )
    closes_after_days = models.PositiveIntegerField(default=21)
    anonymous = models.BooleanField(default=False)
    # An outside survey (e.g. SurveyMonkey) instead of ours; "{token}" is replaced by the
    # invitation's token so a completion page can tell Guildbook it was answered.
    external_url = models.URLField(max_length=500, blank=True)
    # A trainer's own paragraph for the invitation (same placeholders as training's notes).
    note = models.TextField(blank=True)
    # A different short message to no-shows ("sorry we missed you — the next dates").
    message_no_shows = models.BooleanField(default=False)
    no_show_note = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "days_after", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_after_days__isnull=True)
                | Q(reminder_after_days__lt=F("closes_after_days")),
                name="moment_reminder_before_close",
            ),
            models.CheckConstraint(
                condition=Q(closes_after_days__gte=1), name="moment_open_at_least_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.days_after} days after)"


class Invitation(TimeStampedModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        VOID = "void", _("Withdrawn")

    moment = models.ForeignKey(SurveyMoment, on_delete=models.PROTECT, related_name="invitations")
    # The version the person is (or will be) asked; updated while the invitation is unsent.
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="+")
    booking = models.ForeignKey(
        "training.Booking", on_delete=models.PROTECT, related_name="survey_invitations"
    )
    session = models.ForeignKey(
        "training.Session", on_delete=models.PROTECT, related_name="survey_invitations"
    )
    # Random, 128 bits; the links in the e-mails are this key signed for one purpose.
    key = models.CharField(max_length=40, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    due_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["moment", "booking"], name="invitation_once_per_booking"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("due_at")), name="invitation_closes_after_due"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "void"]), name="invitation_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["session", "moment"], name="invitation_session")]

    def __str__(self) -> str:
        return f"{self.moment} for booking #{self.booking_id}"


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    moment = models.ForeignKey(SurveyMoment, on_delete=models.PROTECT, related_name="responses")
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="responses")
    session = models.ForeignKey(
        "training.Session", on_delete=models.PROTECT, related_name="survey_responses"
    )
    # Named responses only. An anonymous response has neither, by design.
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["session", "moment"], name="response_session")]
        constraints = [
            models.CheckConstraint(
                condition=Q(invitation__isnull=True, submitted_at__isnull=True)
                | Q(invitation__isnull=False, submitted_at__isnull=False),
                name="response_named_or_anonymous",
            ),
        ]

    def __str__(self) -> str:
        return f"Response to {self.moment}"

    @property
    def anonymous(self) -> bool:
        return self.invitation_id is None


class Answer(models.Model):
    """One answer to one question. A multiple-choice question has a row per choice made."""

    # A random key, like the response's: ids in answering order would line anonymous
    # answers up with the invitations' answered_at.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            # One answer per question, or one row per choice made (SQLite has no
            # NULLS NOT DISTINCT, hence two partial indexes).
            models.UniqueConstraint(
                fields=["response", "question", "choice"],
                condition=Q(choice__isnull=False),
                name="answer_choice_once",
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(choice__isnull=True),
                name="answer_once",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1, number__lte=5),
                name="answer_scale_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"
