"""Everything a person has in their portfolios, as one ZIP, so nothing is locked in:

index.html               the evidence log, with links to each entry and file
evidence/E<n>.html       each entry as a page (its Markdown rendered)
files/E<n>-<name>        each uploaded file, under a safe name
evidence.json            every entry's fields
statements.json          every draft of every statement, with mentor comments
skills-audits.json       every audit and rating
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone

from guildbook.portfolios.models import Evidence, SkillsAudit, StatementDraft
from guildbook.portfolios.text import render_markdown


def _safe(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "file"
    return name[:80]


def _evidence_json(e: Evidence) -> dict:
    return {
        "number": e.number,
        "label": e.label,
        "kind": e.kind,
        "date": e.date.isoformat(),
        "title": e.title,
        "text": e.text,
        "url": e.url,
        "tags": e.tag_list,
        "hours": str(e.hours) if e.hours is not None else None,
        "criteria": [c.code for c in e.criteria.all()],
        "skills_areas": [a.name for a in e.skills_areas.all()],
        "candidacy": e.candidacy_id,
        "file": _file_path(e) if e.file else None,
        "draft": e.is_draft,
    }


def _file_path(e: Evidence) -> str:
    return f"files/E{e.number}-{_safe(e.file_name or 'file')}"


def everything_zip(person, *, progress: Callable[[int], None] = lambda p: None) -> bytes:
    entries = list(
        Evidence.objects.filter(person=person)
        .prefetch_related("criteria", "skills_areas")
        .order_by("number")
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        pages = []
        for i, e in enumerate(entries, start=1):
            html = render_to_string(
                "portfolios/archive/entry.html",
                {
                    "e": e,
                    "html": render_markdown(e.text),
                    "file": _file_path(e) if e.file else None,
                },
            )
            z.writestr(f"evidence/E{e.number}.html", html)
            if e.file:
                with e.file.open("rb") as f:
                    z.writestr(_file_path(e), f.read())
            pages.append(e)
            progress(5 + int(80 * i / max(len(entries), 1)))
        z.writestr(
            "index.html",
            render_to_string(
                "portfolios/archive/index.html",
                {"person": person, "entries": pages, "generated_at": timezone.now()},
            ),
        )
        z.writestr("evidence.json", json.dumps([_evidence_json(e) for e in entries], indent=2))
        drafts = (
            StatementDraft.objects.filter(candidacy__person=person)
            .select_related("candidacy__scheme")
            .prefetch_related("comments__author")
            .order_by("candidacy_id", "version")
        )
        z.writestr(
            "statements.json",
            json.dumps(
                [
                    {
                        "candidacy": d.candidacy_id,
                        "scheme": d.candidacy.scheme.slug,
                        "version": d.version,
                        "saved_at": d.saved_at.isoformat(),
                        "words": d.words,
                        "text": d.text,
                        "comments": [
                            {
                                "by": c.author.name if c.author else "",
                                "at": c.created_at.isoformat(),
                                "text": c.text,
                            }
                            for c in d.comments.all()
                        ],
                    }
                    for d in drafts
                ],
                indent=2,
            ),
        )
        audits = (
            SkillsAudit.objects.filter(person=person)
            .select_related("framework")
            .prefetch_related("ratings__area", "ratings__evidence")
        )
        z.writestr(
            "skills-audits.json",
            json.dumps(
                [
                    {
                        "framework": a.framework.slug,
                        "name": a.name,
                        "taken_on": a.taken_on.isoformat(),
                        "ratings": [
                            {
                                "area": r.area.name,
                                "current": r.current,
                                "target": r.target,
                                "mentor": r.mentor_rating,
                                "justification": r.justification,
                                "evidence": r.evidence.label if r.evidence else None,
                            }
                            for r in a.ratings.all()
                        ],
                    }
                    for a in audits
                ],
                indent=2,
            ),
        )
    progress(95)
    return out.getvalue()
