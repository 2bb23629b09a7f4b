"""Portfolios: a person's evidence log and skills audits.

Evidence belongs to a person, not to a candidacy: what someone learnt at a session in 2025
can support their Certification now and their Chartership later. Each entry has a number,
E1…En, within that person's own log; numbers are never reused, so a statement's `[E7]`
cannot come to mean another entry after E7 was deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guildbook.core.models import TimeStampedModel
from guildbook.portfolios.storage import private_storage


class EvidenceLog(models.Model):
    """One per person: the last evidence number given out. Its row is locked to number a new
    entry, so two entries added at once never get the same number."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence_log"
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.person}: E{self.last_number}"


class SkillsFramework(models.Model):
    """A skills framework loaded from a data file (guildbook/data/frameworks/)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    description = models.TextField(blank=True)
    # The words for 0…4 on the rating scale, e.g. ["None", "Basic", …].
    labels = models.JSONField(default=list)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def label(self, value: int | None) -> str:
        if value is None:
            return ""
        try:
            return self.labels[value]
        except (IndexError, TypeError):
            return str(value)


class SkillsArea(models.Model):
    framework = models.ForeignKey(SkillsFramework, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="skills_area_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CourseSkillsArea(models.Model):
    """A catalogue course tagged with a skills area (training's `Course.tags` is free text)."""

    course = models.ForeignKey(
        "training.Course", on_delete=models.CASCADE, related_name="skills_area_links"
    )
    area = models.ForeignKey(SkillsArea, on_delete=models.CASCADE, related_name="course_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "area"], name="course_skills_area_unique")
        ]

    def __str__(self) -> str:
        return f"{self.course} → {self.area}"


class Evidence(TimeStampedModel):
    class Kind(models.TextChoices):
        REFLECTION = "reflection", _("Reflection or diary")
        FILE = "file", _("File")
        LINK = "link", _("Link")
        FEEDBACK = "feedback", _("Feedback received")
        MEETING = "meeting", _("Mentor meeting")
        SESSION = "session", _("Session attended")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence"
    )
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = models.DateField()
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True, help_text="Markdown.")
    url = models.URLField(max_length=500, blank=True)
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    skills_areas = models.ManyToManyField(SkillsArea, blank=True, related_name="evidence")
    # The candidacy it was gathered for, if any, and the criteria of that scheme it supports.
    candidacy = models.ForeignKey(
        "qualifications.Candidacy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
    )
    criteria = models.ManyToManyField(
        "qualifications.Criterion", blank=True, related_name="evidence"
    )
    # A draft was made for the person (attending a session) and not yet looked at by them.
    is_draft = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    # The place this entry is about, for session evidence.
    booking = models.ForeignKey(
        "training.Booking",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Stored under a random name in the private storage; the uploaded name is only shown.
    file = models.FileField(storage=private_storage, max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="evidence_number_unique"),
            models.CheckConstraint(condition=Q(number__gt=0), name="evidence_number_positive"),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0), name="evidence_hours_positive"
            ),
            # A session attended is drafted once per place.
            models.UniqueConstraint(
                fields=["person", "booking"],
                condition=Q(booking__isnull=False),
                name="evidence_one_per_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"E{self.number} {self.title}"

    @property
    def label(self) -> str:
        return f"E{self.number}"

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def is_image(self) -> bool:
        return self.file_type.startswith("image/")


class SkillsAudit(TimeStampedModel):
    """A person's ratings of every area of one framework on one date (start, middle, end)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skills_audits"
    )
    framework = models.ForeignKey(SkillsFramework, on_delete=models.PROTECT, related_name="+")
    taken_on = models.DateField()
    name = models.CharField(max_length=80, help_text="For example: Start, Middle, End.")

    class Meta:
        ordering = ["person", "taken_on", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.taken_on})"


class SkillsRating(TimeStampedModel):
    audit = models.ForeignKey(SkillsAudit, on_delete=models.CASCADE, related_name="ratings")
    area = models.ForeignKey(SkillsArea, on_delete=models.CASCADE, related_name="+")
    current = models.PositiveSmallIntegerField(null=True, blank=True)
    target = models.PositiveSmallIntegerField(null=True, blank=True)
    justification = models.TextField(blank=True)
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mentor_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    mentor_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["audit", "area__position"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "area"], name="skills_rating_once_per_area"),
            models.CheckConstraint(
                condition=(Q(current__isnull=True) | Q(current__lte=4))
                & (Q(target__isnull=True) | Q(target__lte=4))
                & (Q(mentor_rating__isnull=True) | Q(mentor_rating__lte=4)),
                name="skills_rating_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.current} → {self.target}"

    @property
    def is_gap(self) -> bool:
        return self.current is not None and self.target is not None and self.target > self.current

    # The scale's words for each rating (the audit and its framework are loaded with it).
    @property
    def current_label(self) -> str:
        return self.audit.framework.label(self.current)

    @property
    def target_label(self) -> str:
        return self.audit.framework.label(self.target)

    @property
    def mentor_label(self) -> str:
        return self.audit.framework.label(self.mentor_rating)


class StatementDraft(models.Model):
    """One saved draft of a candidacy's evaluative statement. Saving changed text adds a
    draft, so the history is every version the candidate saved."""

    candidacy = models.ForeignKey(
        "qualifications.Candidacy", on_delete=models.CASCADE, related_name="statement_drafts"
    )
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    words = models.PositiveIntegerField(default=0)
    # Optional words per criterion, {criterion code: words}, carried from draft to draft.
    budgets = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["candidacy", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidacy", "version"], name="statement_draft_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Statement draft {self.version}"


class StatementComment(models.Model):
    """The mentor's comment on one draft."""

    draft = models.ForeignKey(StatementDraft, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["draft", "created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on draft {self.draft_id}"


class MentorShare(models.Model):
    """The candidate shares a candidacy's portfolio (evidence for it, statement, audits) with
    whoever is their mentor, to read and comment. Withdrawing it keeps the row, unshared."""

    candidacy = models.OneToOneField(
        "qualifications.Candidacy", on_delete=models.CASCADE, related_name="mentor_share"
    )
    # Since when it is shared: the mentor's evidence digests start there (messages.py).
    shared_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Shared {self.candidacy_id}: {bool(self.shared_at)}"

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None


class SectionFile(models.Model):
    """A file from the evidence log placed in an uploaded section of the portfolio (a CV,
    structure charts, a supporting letter). A section may hold several, in order."""

    candidacy = models.ForeignKey(
        "qualifications.Candidacy", on_delete=models.CASCADE, related_name="section_files"
    )
    section = models.ForeignKey(
        "qualifications.Section", on_delete=models.CASCADE, related_name="+"
    )
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="placements")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["candidacy", "section", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidacy", "section", "evidence"], name="section_file_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.section} ← {self.evidence}"


class PortfolioExport(models.Model):
    """A PDF (the portfolio, or a revalidation pack) or a ZIP of everything, built in the
    background by `guildbook worker`."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("Portfolio PDF")
        ZIP = "zip", _("Everything, as a ZIP")
        REVALIDATION = "revalidation", _("Revalidation pack")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio_exports"
    )
    candidacy = models.ForeignKey(
        "qualifications.Candidacy",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exports",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PDF)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # What the confidentiality check found and the candidate confirmed as fine to export.
    findings = models.JSONField(default=list, blank=True)
    is_draft = models.BooleanField(default=True)
    file = models.FileField(storage=private_storage, max_length=200, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_max")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def download_name(self) -> str:
        """The file name a download is given (never the stored one)."""
        if self.kind == self.Kind.ZIP:
            return f"portfolio-{self.pk}.zip"
        name = "revalidation-pack" if self.kind == self.Kind.REVALIDATION else "portfolio"
        return f"{name}-{self.pk}.pdf"

    @property
    def content_type(self) -> str:
        return "application/zip" if self.kind == self.Kind.ZIP else "application/pdf"


class AssessorLink(models.Model):
    """A time-limited, revocable, read-only link to a candidacy's portfolio for someone
    without an account. The URL carries a signed token naming this row; revoking or
    expiry makes it a 404."""

    candidacy = models.ForeignKey(
        "qualifications.Candidacy", on_delete=models.CASCADE, related_name="assessor_links"
    )
    label = models.CharField(max_length=120, help_text="Who it is for, e.g. the assessor.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Link for {self.label}"

    def is_live(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at
