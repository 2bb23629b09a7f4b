"""Extra sections of the training record, supplied by apps above training.

Training may not import the apps built on it (surveys, portfolios), yet their parts of a
person's history belong on the record page: "my answers to follow-up surveys", later
"evidence in my portfolio". So they register a provider here when they load (in their
AppConfig.ready):

    from guildbook.training import record
    record.register_section(my_provider)

A provider is `provider(viewer, person) -> RecordSection | None`: given who is looking and
whose record it is, it returns a section to draw, or None to draw nothing (nothing to show,
or not for this viewer — a provider applies its own app's visibility rules). The page draws
each section with `{% include section.template %}`, the section in the context as
`section` and its data in `section.context`, after the record's own table, in the order the
providers were registered.

Query counts: the record page's count must not grow with the record, so a provider loads
everything it shows in a fixed number of queries (select_related/prefetch_related), one or
two for most. The PDF and CSV of the record carry only training's own rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from guildbook.core.registries import Registry


@dataclass(frozen=True)
class RecordSection:
    # A short heading, e.g. "My answers to follow-up surveys" (already translated).
    title: str
    # A template path drawn inside the record page, e.g. "surveys/record_section.html".
    template: str
    context: dict = field(default_factory=dict)


Provider = Callable[..., "RecordSection | None"]

_providers: Registry[Provider] = Registry()


def register_section(provider: Provider) -> Provider:
    """Add a provider (once; registering it again does nothing). Usable as a decorator."""
    return _providers.add(provider)


def unregister_section(provider: Provider) -> None:
    _providers.remove(provider)


def extra_sections(viewer, person) -> list[RecordSection]:
    """Every registered provider's section for this viewer and record, skipping None."""
    sections = (provider(viewer, person) for provider in _providers)
    return [section for section in sections if section is not None]
