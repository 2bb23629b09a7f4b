"""Qualifications: schemes (loaded from data files), candidacies, mentors, development plans
and funding requests.

A scheme is data: rows here are written only by the scheme loader (schemes.py) from a YAML
file, one version per row. A candidacy points at the scheme version it was started under and
keeps it: a newer version of the same scheme is a new row, so it never changes a candidacy.

Rules about one row are constraints here; everything across rows is in services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from guildbook.core.models import TimeStampedModel

PENCE_HELP = "In pence: 4500 is £45."


class Scheme(models.Model):
    """One version of a qualification, as its file described it when loaded."""

    class Mentor(models.TextChoices):
        REQUIRED = "required", "Required"
        OPTIONAL = "optional", "Optional"
        NONE = "none", "No mentor"

    # Unique per version: the seed's Chartership and today's are different items.
    slug = models.SlugField(max_length=80, unique=True)
    # The qualification across versions ("chartership"), so versions can be listed together.
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=150)
    version = models.CharField(max_length=40)
    summary = models.TextField(blank=True)
    awarded_by = models.CharField(max_length=150, blank=True)
    enrolment_fee = models.PositiveIntegerField(default=0, help_text=PENCE_HELP)
    submission_fee = models.PositiveIntegerField(default=0, help_text=PENCE_HELP)
    # Said in words on the scheme's page; never requestable as funding.
    membership_note = models.CharField(max_length=300, blank=True)
    mentor = models.CharField(max_length=10, choices=Mentor.choices, default=Mentor.OPTIONAL)
    # Scheme-specific rules, e.g. {"cpd_hours": 20, "cpd_months": 12, "statement_words": 250}.
    rules = models.JSONField(default=dict, blank=True)
    # Whether new candidacies may start on this version (older versions stay readable).
    open = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)
    source_name = models.CharField(max_length=200, blank=True)
    # SHA-256 of the file's parsed content: importing the same version again with the same
    # content changes nothing; with different content it is refused.
    fingerprint = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "name", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scheme_code_version_unique"),
        ]
        permissions = [
            ("manage_schemes", "Can import qualification schemes"),
            ("act_as_mentor", "Can be a mentor to candidates"),
            ("decide_funding", "Can decide funding requests for qualification fees"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def is_free(self) -> bool:
        return not (self.enrolment_fee or self.submission_fee)


class Criterion(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scheme", "order", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="criterion_code_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    """A part of the portfolio the scheme asks for."""

    class Source(models.TextChoices):
        GENERATED = "generated", "Built in Guildbook"
        UPLOADED = "uploaded", "Uploaded document"

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="sections")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    word_limit = models.PositiveIntegerField(null=True, blank=True)
    page_limit = models.PositiveIntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOADED)

    class Meta:
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="section_code_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class JourneyStep(models.Model):
    """A step of the journey. Its due date is `due_share` per cent of the way from the
    candidacy's start to its target date, so it follows the candidate's own plan."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    due_share = models.PositiveSmallIntegerField(default=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="step_code_unique"),
            models.CheckConstraint(condition=Q(due_share__lte=100), name="step_due_share_max"),
        ]

    def __str__(self) -> str:
        return self.title


class Reading(models.Model):
    """Recommended reading or guidance; `catalogue_id` is put into the service's catalogue
    address pattern (QUALIFICATIONS_CATALOGUE_URL), `course_slug` names a course of ours."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="reading")
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    catalogue_id = models.CharField(max_length=100, blank=True)
    url = models.URLField(blank=True)
    course_slug = models.SlugField(max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scheme", "order", "id"]
        verbose_name_plural = "reading"

    def __str__(self) -> str:
        return self.title


# --- Candidacies ------------------------------------------------------------------------


class Candidacy(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        SUBMITTED = "submitted", "Submitted"
        AWARDED = "awarded", "Awarded"
        NOT_AWARDED = "not_awarded", "Not awarded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATUSES = (Status.ACTIVE, Status.SUBMITTED)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="candidacies"
    )
    # PROTECT: a scheme version with candidacies is never deleted.
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="candidacies")
    started_on = models.DateField(default=timezone.localdate)
    target_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    membership_number = models.CharField(max_length=40, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name_plural = "candidacies"
        constraints = [
            # One open candidacy per person per scheme version; past ones stay.
            models.UniqueConstraint(
                fields=["person", "scheme"],
                condition=Q(status__in=["active", "submitted"]),
                name="candidacy_one_open_per_scheme",
            ),
            models.CheckConstraint(
                condition=Q(target_date__gte=F("started_on")), name="candidacy_target_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.scheme}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CandidacyStep(models.Model):
    """A step marked done (a step without a row is still to do)."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="done_steps")
    step = models.ForeignKey(JourneyStep, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidacy", "step"], name="candidacy_step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.step} done"


# --- Mentors ----------------------------------------------------------------------------


class MentorProfile(TimeStampedModel):
    """A mentor in the directory. `mentees` counts accepted, unended requests; the check
    constraint makes taking a place beyond `capacity` impossible even under a race."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile"
    )
    region = models.CharField(max_length=100, blank=True)
    sector = models.CharField(max_length=100, blank=True)
    # Kept as "|a|b|" in lower case too, so a filter matches a whole specialism.
    specialisms = models.JSONField(default=list, blank=True)
    specialisms_key = models.CharField(max_length=1000, blank=True, editable=False)
    remote = models.BooleanField(default=True, help_text="Will mentor by video or phone.")
    capacity = models.PositiveSmallIntegerField(default=1)
    mentees = models.PositiveSmallIntegerField(default=0, editable=False)
    bio = models.TextField(blank=True)
    listed = models.BooleanField(default=True, help_text="Shown in the mentor directory.")

    class Meta:
        ordering = ["user__name", "user__email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mentees__lte=F("capacity")), name="mentor_within_capacity"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.mentees, 0)

    def save(self, *args, **kwargs):
        self.specialisms_key = (
            "|" + "|".join(s.strip().lower() for s in self.specialisms) + "|"
            if self.specialisms
            else ""
        )
        if kwargs.get("update_fields") and "specialisms" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "specialisms_key"}
        super().save(*args, **kwargs)


class MentorRequest(TimeStampedModel):
    """A candidate asking a mentor; once accepted it is the mentoring itself, until ended."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ENDED = "ended", "Ended"

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="mentor_requests"
    )
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="requests")
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One active mentor per candidacy.
            models.UniqueConstraint(
                fields=["candidacy"],
                condition=Q(status="accepted"),
                name="mentor_request_one_accepted",
            ),
            # One open request to the same mentor at a time.
            models.UniqueConstraint(
                fields=["candidacy", "mentor"],
                condition=Q(status="pending"),
                name="mentor_request_one_pending_per_mentor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidacy.person} → {self.mentor}"


class Meeting(TimeStampedModel):
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="meetings")
    mentor = models.ForeignKey(
        MentorProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Meeting on {self.held_on}"


class Action(TimeStampedModel):
    """An action agreed at a meeting, for the candidate or the mentor, with a due date."""

    class Owner(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        MENTOR = "mentor", "Mentor"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=300)
    owner = models.CharField(max_length=10, choices=Owner.choices, default=Owner.CANDIDATE)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text


class MentorReport(TimeStampedModel):
    """The mentor's completion form at the end of the mentoring."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="reports")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="reports")
    meetings_count = models.PositiveSmallIntegerField(default=0)
    first_meeting_on = models.DateField(null=True, blank=True)
    last_meeting_on = models.DateField(null=True, blank=True)
    summary = models.TextField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidacy", "mentor"], name="mentor_report_once"),
        ]


# --- Development plan -------------------------------------------------------------------


class DevelopmentPlan(TimeStampedModel):
    candidacy = models.OneToOneField(Candidacy, on_delete=models.CASCADE, related_name="plan")
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Goal(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="goals")
    what = models.CharField(max_length=300)
    measure = models.TextField("how success will be measured", blank=True)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    criteria = models.ManyToManyField(Criterion, blank=True, related_name="goals")
    mentor_comment = models.TextField(blank=True)
    # Set by the portfolio's skills audit when a goal grows from a gap (nothing else uses it).
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["target_date", "id"]

    def __str__(self) -> str:
        return self.what


class PlannedActivity(models.Model):
    """Something planned towards a goal: free text, or a course from the catalogue, with the
    booking made from the plan."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="activities")
    description = models.CharField(max_length=300, blank=True)
    course = models.ForeignKey(
        "training.Course", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    booking = models.ForeignKey(
        "training.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "planned activities"
        constraints = [
            models.CheckConstraint(
                condition=~Q(description="") | Q(course__isnull=False),
                name="activity_has_description_or_course",
            ),
        ]

    def __str__(self) -> str:
        return self.description or str(self.course)


# --- Funding ----------------------------------------------------------------------------


class FundingRequest(TimeStampedModel):
    class Fee(models.TextChoices):
        ENROLMENT = "enrolment", "Enrolment fee"
        SUBMISSION = "submission", "Submission fee"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        PAID = "paid", "Paid"

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="funding_requests"
    )
    fee = models.CharField(max_length=10, choices=Fee.choices)
    amount = models.PositiveIntegerField(help_text=PENCE_HELP)
    justification = models.TextField()
    # The person's team when they asked, for the yearly report per team.
    team = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    training_record = models.FileField(upload_to="funding/%Y/", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Membership is never a scheme fee: only these two can be asked for.
            models.CheckConstraint(
                condition=Q(fee__in=["enrolment", "submission"]), name="funding_fee_is_scheme_fee"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive"),
            # One live request per fee; a declined one may be asked again.
            models.UniqueConstraint(
                fields=["candidacy", "fee"],
                condition=~Q(status="declined"),
                name="funding_one_live_per_fee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_fee_display()} for {self.candidacy}"
