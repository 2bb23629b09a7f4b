"""Writes to the outreach log: entries, their follow-ups, and closed sessions made for the
team an entry reached (see training/outreach.py for what outreach is and who logs it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction

from guildbook.accounts.models import Team, User
from guildbook.core import limits
from guildbook.core.audit import audit_record
from guildbook.core.errors import NotAllowed, ServiceError
from guildbook.core.roles import is_trainer
from guildbook.training import roles
from guildbook.training.models import Course, OutreachEntry, OutreachFollowUp, Session
from guildbook.training.services import interest
from guildbook.training.services.sessions import session_create

MAX_PEOPLE_REACHED = 100_000


def _check_date(value: date | None, *, field: str) -> None:
    if value is None:
        raise ServiceError("Give the date.", field=field)
    if not limits.EARLIEST_YEAR <= value.year <= limits.LATEST_YEAR:
        raise ServiceError(
            f"Give a date between the years {limits.EARLIEST_YEAR} and {limits.LATEST_YEAR}.",
            field=field,
        )


def _require_logger(actor: User | None) -> None:
    if actor is not None and not roles.can_log_outreach(actor):
        raise NotAllowed("Only trainers and staff development officers can log outreach.")


def _cleaned(
    *,
    kind: str,
    day: date | None,
    team: Team | None,
    audience: str,
    people_reached: int | None,
    notes: str,
) -> dict:
    if kind not in OutreachEntry.Kind.values:
        raise ServiceError("Choose what kind of outreach it was.", field="kind")
    _check_date(day, field="date")
    audience = limits.check_text(
        " ".join((audience or "").split()), field="audience", limit=200, what="The audience"
    )
    if team is None and not audience:
        raise ServiceError(
            "Choose the team from the directory, or say who the audience was.", field="team"
        )
    if people_reached is not None and not 0 <= people_reached <= MAX_PEOPLE_REACHED:
        raise ServiceError(
            f"Give the number of people reached, from 0 to {MAX_PEOPLE_REACHED:,}.",
            field="people_reached",
        )
    notes = limits.check_text(notes or "", field="notes", limit=10_000, what="The notes")
    return {
        "kind": kind,
        "date": day,
        "team": team,
        # With a team, what was typed as the audience is kept as a note of who came.
        "audience": audience,
        "people_reached": people_reached,
        "notes": notes,
    }


def outreach_create(
    *,
    actor: User | None,
    kind: str,
    date: date | None,
    team: Team | None = None,
    audience: str = "",
    people_reached: int | None = None,
    went: Iterable[User] = (),
    notes: str = "",
    follow_ups: Iterable[tuple[str, date | None]] = (),
) -> OutreachEntry:
    """Log an outreach visit: its kind, date, the team reached (from the directory) or an
    audience in words, how many people, who went, notes, and any follow-ups to do."""
    _require_logger(actor)
    fields = _cleaned(
        kind=kind,
        day=date,
        team=team,
        audience=audience,
        people_reached=people_reached,
        notes=notes,
    )
    with transaction.atomic():
        entry = OutreachEntry.objects.create(created_by=actor, **fields)
        entry.went.set(list(went))
        for text, due_on in follow_ups:
            _follow_up(entry, text, due_on)
        audit_record(actor=actor, action="outreach_created", subject=entry)
    return entry


def outreach_update(
    *,
    entry: OutreachEntry,
    actor: User | None,
    kind: str,
    date: date | None,
    team: Team | None = None,
    audience: str = "",
    people_reached: int | None = None,
    went: Iterable[User] = (),
    notes: str = "",
) -> OutreachEntry:
    """Change an entry's details (its follow-ups and sessions are kept)."""
    _require_logger(actor)
    fields = _cleaned(
        kind=kind,
        day=date,
        team=team,
        audience=audience,
        people_reached=people_reached,
        notes=notes,
    )
    with transaction.atomic():
        for name, value in fields.items():
            setattr(entry, name, value)
        entry.save()
        entry.went.set(list(went))
        audit_record(actor=actor, action="outreach_updated", subject=entry)
    return entry


def outreach_delete(*, entry: OutreachEntry, actor: User | None) -> None:
    """Delete an entry and its follow-ups. Sessions made from it stay (they are sessions)."""
    _require_logger(actor)
    with transaction.atomic():
        audit_record(actor=actor, action="outreach_deleted", subject=entry, who=entry.who)
        entry.delete()


def _follow_up(entry: OutreachEntry, text: str, due_on: date | None) -> OutreachFollowUp:
    text = limits.check_text(
        " ".join((text or "").split()), field="text", limit=300, what="The follow-up"
    )
    if not text:
        raise ServiceError("Say what there is to follow up.", field="text")
    if due_on is not None:
        _check_date(due_on, field="due_on")
    return OutreachFollowUp.objects.create(entry=entry, text=text, due_on=due_on)


def outreach_follow_up_add(
    *, entry: OutreachEntry, actor: User | None, text: str, due_on: date | None = None
) -> OutreachFollowUp:
    """Add something to follow up, with an optional due date."""
    _require_logger(actor)
    with transaction.atomic():
        follow_up = _follow_up(entry, text, due_on)
        audit_record(actor=actor, action="outreach_follow_up_added", subject=entry)
    return follow_up


def outreach_follow_up_set_done(
    *, follow_up: OutreachFollowUp, actor: User | None, done: bool
) -> OutreachFollowUp:
    """Mark a follow-up done, or not done again."""
    _require_logger(actor)
    with transaction.atomic():
        follow_up.done = done
        follow_up.save(update_fields=["done"])
        audit_record(
            actor=actor, action="outreach_follow_up_done", subject=follow_up.entry, done=done
        )
    return follow_up


def outreach_follow_up_delete(*, follow_up: OutreachFollowUp, actor: User | None) -> None:
    _require_logger(actor)
    with transaction.atomic():
        audit_record(actor=actor, action="outreach_follow_up_deleted", subject=follow_up.entry)
        follow_up.delete()


def outreach_session_create(
    *,
    entry: OutreachEntry,
    actor: User | None,
    course: Course,
    starts_at: datetime,
    ends_at: datetime | None = None,
    capacity: int | None = None,
    venue: str = "",
    online_link: str = "",
    link_to_follow: bool = False,
    trainers: Iterable[User] = (),
) -> Session:
    """Schedule a closed session of `course` for the entry's team (session_create with
    `for_team`), linked to the entry. Only the team's people see it and may book it; the
    trainer shares its link with them. The entry must name a team from the directory."""
    if actor is not None and not is_trainer(actor):
        raise NotAllowed("Only trainers can schedule sessions.")
    if entry.team_id is None:
        raise ServiceError(
            "A closed session is for one team from the directory: choose the team on this "
            "entry first.",
            field="team",
        )
    with transaction.atomic():
        session = session_create(
            course=course,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            venue=venue,
            online_link=online_link,
            link_to_follow=link_to_follow,
            trainers=trainers,
            actor=actor,
            for_team=entry.team,
        )
        entry.sessions.add(session)
        audit_record(actor=actor, action="outreach_session_created", subject=entry)
    return session


def session_open_to_all(*, session: Session, actor: User | None) -> Session:
    """Open a closed session to everyone: it joins the catalogue and anyone may book it (the
    team's people keep their places, and it stays linked to the outreach it came from).
    People waiting to hear of a date for the course are told of it, as for a new session."""
    if actor is not None and not is_trainer(actor):
        raise NotAllowed("Only trainers can open a session to everyone.")
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.for_team_id is None:
            raise ServiceError("This session is already open to everyone.")
        if session.is_cancelled:
            raise ServiceError("A cancelled session cannot be opened.")
        team = session.for_team.name
        session.for_team = None
        session.save(update_fields=["for_team", "updated_at"])
        audit_record(actor=actor, action="session_opened_to_all", subject=session, team=team)
        interest.interest_tell([session])
    return session
