"""Schemes as data: reading a scheme file, checking it, and loading it.

A scheme file is YAML (docs/subsystems/qualifications.md describes it with a complete
example). It is parsed with `yaml.safe_load` rules only (no tags that build objects), then
checked against the pydantic models below. A file that fails either step is refused with one
message naming the file, the line and the field; nothing of it is written. A file is loaded
in one transaction, so a scheme is either wholly there or not at all.

Versions: a scheme is identified by (code, version). Loading a version already there with
the same content changes nothing and says so; with different content it is refused (publish
a new version instead), because candidacies point at the version they started under.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from django.conf import settings
from django.db import transaction
from pydantic import (
    BeforeValidator,
    Field,
    StringConstraints,
)

from guildbook.core.audit import audit_record
from guildbook.core.datafiles import Strict, Text, code, file_text, line_of, yaml_check
from guildbook.core.errors import ServiceError
from guildbook.qualifications.models import (
    Criterion,
    JourneyStep,
    Reading,
    Scheme,
    Section,
)

SHIPPED_DIR = Path(settings.BASE_DIR) / "guildbook" / "data" / "schemes"

Code = code(60)


class CriterionFile(Strict):
    code: Code
    title: Annotated[Text, StringConstraints(max_length=300)]
    guidance: str = ""


class SectionFile(Strict):
    code: Code
    title: Annotated[Text, StringConstraints(max_length=200)]
    guidance: str = ""
    required: bool = True
    word_limit: int | None = Field(default=None, gt=0)
    page_limit: int | None = Field(default=None, gt=0)
    source: Literal["generated", "uploaded"] = "uploaded"


class StepFile(Strict):
    code: Code
    title: Annotated[Text, StringConstraints(max_length=200)]
    guidance: str = ""
    # Per cent of the way from the start to the target date when the step falls due.
    due: int = Field(default=100, ge=0, le=100)


class ReadingFile(Strict):
    title: Annotated[Text, StringConstraints(max_length=300)]
    author: str = ""
    note: str = ""
    catalogue_id: str = ""
    url: str = ""
    course: str = ""


class FeesFile(Strict):
    # In pence. Membership is never a scheme fee, so it has no place here.
    enrolment: int = Field(default=0, ge=0)
    submission: int = Field(default=0, ge=0)


class SchemeFile(Strict):
    code: Code
    # `version: 2021` in YAML is a number; it is kept as the text it reads as.
    version: Annotated[
        Text,
        BeforeValidator(lambda v: str(v) if isinstance(v, int | float) else v),
        StringConstraints(max_length=40),
    ]
    slug: Code | None = None
    name: Annotated[Text, StringConstraints(max_length=150)]
    summary: str = ""
    awarded_by: str = ""
    open: bool = True
    order: int = Field(default=0, ge=0)
    fees: FeesFile = FeesFile()
    membership: str = ""
    mentor: Literal["required", "optional", "none"] = "optional"
    rules: dict[str, int | str | bool] = {}
    criteria: list[CriterionFile] = Field(min_length=1)
    sections: list[SectionFile] = []
    steps: list[StepFile] = Field(min_length=1)
    reading: list[ReadingFile] = []

    @property
    def the_slug(self) -> str:
        return self.slug or f"{self.code}-{self.version}".lower().replace(".", "-")


# --- Reading a file -----------------------------------------------------------------------


class SchemeFileError(ServiceError):
    """A scheme file that cannot be loaded; the message names the file, line and field."""


def scheme_parse(*, text: str, name: str) -> SchemeFile:
    """Parse and check a scheme file's text. Raises SchemeFileError naming file, line, field."""
    parsed, tree = yaml_check(
        text, name=name, model=SchemeFile, error=SchemeFileError, what="a scheme file"
    )
    for part in ("criteria", "sections", "steps"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(parsed, part)):
            if item.code in seen:
                line = line_of(tree, (part, i, "code"))
                raise SchemeFileError(
                    f"{name}, line {line}, field {part}.{i}.code: the code “{item.code}” "
                    "appears twice.",
                    field=f"{part}.{i}.code",
                )
            seen.add(item.code)
    return parsed


# --- Loading ------------------------------------------------------------------------------


@dataclass
class LoadResult:
    scheme: Scheme
    created: bool

    @property
    def message(self) -> str:
        if self.created:
            return f"Loaded {self.scheme.name}, version {self.scheme.version}."
        return (
            f"{self.scheme.name}, version {self.scheme.version}, is already loaded: "
            "nothing changed."
        )


def _fingerprint(parsed: SchemeFile) -> str:
    return hashlib.sha256(
        json.dumps(parsed.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()


def scheme_import(
    *, text: str, name: str, actor=None, using: str = "default", shipped: bool = False
) -> LoadResult:
    """Load one scheme file, all of it or nothing.

    The same version with the same content again: nothing changes (created=False). The same
    version with other content: refused. A new version is a new Scheme; candidacies on the
    old one keep it. An import is audited; the shipped files, loaded with the database
    itself after migrate (`shipped=True`), are part of the installation and are not.
    """
    parsed = scheme_parse(text=text, name=name)
    fingerprint = _fingerprint(parsed)
    with transaction.atomic(using=using):
        existing = (
            Scheme.objects.using(using)
            .select_for_update()
            .filter(code=parsed.code, version=parsed.version)
            .first()
        )
        if existing is not None:
            if existing.fingerprint != fingerprint:
                raise SchemeFileError(
                    f"{name}: {parsed.name} version {parsed.version} is already loaded with "
                    "different content. Give the changed scheme a new version.",
                    field="version",
                    code="version_exists",
                )
            return LoadResult(scheme=existing, created=False)
        if Scheme.objects.using(using).filter(slug=parsed.the_slug).exists():
            raise SchemeFileError(
                f"{name}, field slug: “{parsed.the_slug}” is taken by another scheme.",
                field="slug",
            )
        scheme = Scheme.objects.using(using).create(
            slug=parsed.the_slug,
            code=parsed.code,
            name=parsed.name,
            version=parsed.version,
            summary=parsed.summary,
            awarded_by=parsed.awarded_by,
            enrolment_fee=parsed.fees.enrolment,
            submission_fee=parsed.fees.submission,
            membership_note=parsed.membership,
            mentor=parsed.mentor,
            rules=parsed.rules,
            open=parsed.open,
            order=parsed.order,
            source_name=Path(name).name[:200],
            fingerprint=fingerprint,
        )
        Criterion.objects.using(using).bulk_create(
            Criterion(scheme=scheme, order=i, **c.model_dump())
            for i, c in enumerate(parsed.criteria)
        )
        Section.objects.using(using).bulk_create(
            Section(scheme=scheme, order=i, **s.model_dump()) for i, s in enumerate(parsed.sections)
        )
        JourneyStep.objects.using(using).bulk_create(
            JourneyStep(
                scheme=scheme,
                order=i,
                code=s.code,
                title=s.title,
                guidance=s.guidance,
                due_share=s.due,
            )
            for i, s in enumerate(parsed.steps)
        )
        Reading.objects.using(using).bulk_create(
            Reading(
                scheme=scheme,
                order=i,
                title=r.title,
                author=r.author,
                note=r.note,
                catalogue_id=r.catalogue_id,
                url=r.url,
                course_slug=r.course,
            )
            for i, r in enumerate(parsed.reading)
        )
        if not shipped:
            audit_record(actor=actor, action="scheme_imported", subject=scheme, file=name)
    return LoadResult(scheme=scheme, created=True)


def scheme_import_file(
    *, path: Path | str, actor=None, using: str = "default", shipped: bool = False
) -> LoadResult:
    path = Path(path)
    text = file_text(path, error=SchemeFileError)
    return scheme_import(text=text, name=path.name, actor=actor, using=using, shipped=shipped)


def shipped_files() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.yaml"))


def schemes_load_shipped(*, using: str = "default") -> list[LoadResult]:
    """Load every shipped scheme file (after migrate), all of them or none. Versions already
    loaded are left as they are."""
    with transaction.atomic(using=using):
        return [
            scheme_import_file(path=path, using=using, shipped=True) for path in shipped_files()
        ]


def scheme_parse_data(data: Any, *, name: str) -> SchemeFile:
    """Check an already-parsed mapping (tests and the admin preview)."""
    return scheme_parse(text=yaml.safe_dump(data, sort_keys=False), name=name)
