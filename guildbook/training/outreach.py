"""The outreach log: taking the service to people where they are — a presentation at a team
meeting, helping a service (getting the school nursing team onto social media), a stand or a
drop-in — and what followed it.

Entries and their follow-ups are written by `services/outreach.py` and read through
`selectors/outreach.py`, by trainers and staff development officers (`roles.LOG_OUTREACH`).
From an entry for a directory team a trainer schedules a *closed session*: a session with
`for_team` set, listed and bookable only for that team's people (selectors.sessions.open_to,
booking_refusal); the trainer shares its link with the team.

Whether bookings and first-time users followed is worked out by insights, which training may
not import; so an entry's page shows panels that apps above training register here when they
load (as the training record's sections, record.py):

    from guildbook.training import outreach
    outreach.register_panel(provider)

A provider is `provider(viewer, entry) -> OutreachPanel | None`, applying its own rules on who
may see what, and loading what it shows in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from guildbook.core.registries import Registry


@dataclass(frozen=True)
class OutreachPanel:
    title: str  # a short heading, already translated
    template: str  # drawn inside the entry's page with the panel as `panel`
    context: dict = field(default_factory=dict)


Provider = Callable[..., "OutreachPanel | None"]

_providers: Registry[Provider] = Registry()


def register_panel(provider: Provider) -> Provider:
    """Add a provider (once; registering it again does nothing)."""
    return _providers.add(provider)


def panels(viewer, entry) -> list[OutreachPanel]:
    """Every registered provider's panel for this viewer and entry, skipping None."""
    return [p for p in (provider(viewer, entry) for provider in _providers) if p is not None]
