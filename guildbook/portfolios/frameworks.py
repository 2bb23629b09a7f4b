"""Skills frameworks as data: reading a framework file, checking it, and loading it.

A framework file is YAML in guildbook/data/frameworks/ (or any file given to `guildbook
import_framework`). It is read with PyYAML's safe loader and checked against the pydantic
models below; a file that fails is refused with one message naming the file, the line and
the field, and nothing of it is written. A framework is loaded in one transaction.

Loading the same version again with the same areas changes nothing. A new version may add
areas and rename them; areas are matched by code, so ratings already made keep pointing at
the same area. An area is never deleted by an import (a rating may point at it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from django.conf import settings
from django.db import transaction
from pydantic import (
    Field,
    StringConstraints,
    field_validator,
)

from guildbook.core.audit import audit_record
from guildbook.core.datafiles import Strict, Text, code, file_text, yaml_check
from guildbook.core.errors import ServiceError
from guildbook.portfolios.models import SkillsArea, SkillsFramework

SHIPPED_DIR = Path(settings.BASE_DIR) / "guildbook" / "data" / "frameworks"
SCALE = 5  # ratings 0…4

Code = code(40)


class AreaFile(Strict):
    code: Code
    name: Annotated[Text, StringConstraints(max_length=200)]
    description: str = ""


class FrameworkFile(Strict):
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
    name: Annotated[Text, StringConstraints(max_length=200)]
    version: Annotated[Text, StringConstraints(max_length=40)]
    description: str = ""
    labels: list[Annotated[Text, StringConstraints(max_length=40)]] = Field(
        default_factory=lambda: ["None", "Basic", "Developing", "Good", "Expert"]
    )
    areas: list[AreaFile] = Field(min_length=1)

    @field_validator("labels")
    @classmethod
    def _five_labels(cls, labels):
        if len(labels) != SCALE:
            raise ValueError(f"give {SCALE} labels, one for each rating from 0 to {SCALE - 1}")
        return labels

    @field_validator("areas")
    @classmethod
    def _codes_once(cls, areas):
        seen = set()
        for area in areas:
            if area.code in seen:
                raise ValueError(f"the area code “{area.code}” appears twice")
            seen.add(area.code)
        return areas


class FrameworkFileError(ServiceError):
    """A framework file that cannot be loaded; the message names the file, line and field."""


def framework_parse(*, text: str, name: str) -> FrameworkFile:
    parsed, _tree = yaml_check(
        text, name=name, model=FrameworkFile, error=FrameworkFileError, what="a framework file"
    )
    return parsed


@dataclass
class LoadResult:
    framework: SkillsFramework
    created: bool
    changed: bool

    @property
    def message(self) -> str:
        f = self.framework
        if self.created:
            return f"Loaded {f.name}, version {f.version}: {f.areas.count()} areas."
        if self.changed:
            return f"Updated {f.name} to version {f.version}: {f.areas.count()} areas."
        return f"{f.name}, version {f.version}, is already loaded: nothing changed."


def framework_import(
    *, text: str, name: str, actor=None, using: str = "default", audit: bool = True
) -> LoadResult:
    """Load one framework file, all of it or nothing (see the module's docstring). The
    shipped files are part of the installation and are loaded without an audit entry."""
    parsed = framework_parse(text=text, name=name)
    with transaction.atomic(using=using):
        framework = (
            SkillsFramework.objects.using(using)
            .select_for_update()
            .filter(slug=parsed.slug)
            .first()
        )
        created = framework is None
        if created:
            framework = SkillsFramework(slug=parsed.slug)
        before = (
            None
            if created
            else (
                framework.name,
                framework.version,
                framework.description,
                framework.labels,
                list(framework.areas.values_list("code", "name", "description", "position")),
            )
        )
        framework.name = parsed.name
        framework.version = parsed.version
        framework.description = parsed.description
        framework.labels = list(parsed.labels)
        framework.save(using=using)
        existing = {a.code: a for a in framework.areas.all()}
        for position, area in enumerate(parsed.areas):
            row = existing.get(area.code) or SkillsArea(framework=framework, code=area.code)
            row.name, row.description, row.position = area.name, area.description, position
            row.save(using=using)
        after = (
            framework.name,
            framework.version,
            framework.description,
            framework.labels,
            list(framework.areas.values_list("code", "name", "description", "position")),
        )
        changed = created or before != after
        if changed and audit and using == "default":
            audit_record(actor=actor, action="framework_imported", subject=framework, file=name)
    return LoadResult(framework=framework, created=created, changed=changed)


def framework_import_file(
    *, path: Path | str, actor=None, using: str = "default", audit: bool = True
) -> LoadResult:
    path = Path(path)
    text = file_text(path, error=FrameworkFileError)
    return framework_import(text=text, name=path.name, actor=actor, using=using, audit=audit)


def frameworks_load_shipped(*, using: str = "default") -> list[LoadResult]:
    with transaction.atomic(using=using):
        return [
            framework_import_file(path=path, using=using, audit=False)
            for path in sorted(SHIPPED_DIR.glob("*.yaml"))
        ]
