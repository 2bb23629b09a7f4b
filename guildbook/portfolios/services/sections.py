"""Placing files from the evidence log in a portfolio's uploaded sections."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from guildbook.core.audit import audit_record
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.portfolios.models import Evidence, SectionFile
from guildbook.qualifications.models import Candidacy, Section


def section_file_add(
    *, candidacy: Candidacy, section: Section, evidence: Evidence, actor
) -> SectionFile:
    """Put a file of the candidate's log in one of the scheme's uploaded sections (once)."""
    if actor is None or actor.pk != candidacy.person_id or evidence.person_id != actor.pk:
        raise NotAllowed("Only the candidate places their own files.")
    if section.scheme_id != candidacy.scheme_id or section.source != Section.Source.UPLOADED:
        raise ServiceError("That section does not take uploads.", field="section")
    if not evidence.file:
        raise ServiceError("Choose an entry that has a file.", field="evidence")
    with transaction.atomic():
        placed, created = SectionFile.objects.get_or_create(
            candidacy=candidacy,
            section=section,
            evidence=evidence,
            defaults={
                "position": (
                    SectionFile.objects.filter(candidacy=candidacy, section=section).aggregate(
                        m=Max("position")
                    )["m"]
                    or 0
                )
                + 1
            },
        )
        if created:
            audit_record(
                actor=actor, action="section_file_added", subject=placed, section=section.code
            )
    return placed


def section_file_remove(*, placed: SectionFile, actor) -> None:
    if actor is None or actor.pk != placed.candidacy.person_id:
        raise NotAllowed("Only the candidate changes their portfolio.")
    with transaction.atomic():
        audit_record(actor=actor, action="section_file_removed", subject=placed)
        placed.delete()
