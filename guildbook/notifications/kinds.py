"""Message kinds: the interface through which an app tells notifications what to send.

Notifications knows no domain. An app declares its kinds in its own `messages.py`, which
is imported when Django starts (NotificationsConfig.ready), so the worker and the web
server know the same kinds::

    # guildbook/training/messages.py
    from guildbook.notifications.kinds import MessageKind, message_kind

    @message_kind("training.reminder")
    class Reminder(MessageKind):
        label = "Reminder before a session"

        def still_due(self, message):
            booking = message.about
            return booking is not None and booking.status == "confirmed"

        def get_context(self, message):
            return {**super().get_context(message), "booking": message.about}

The three templates are found from the kind's name: "training.reminder" renders
`training/email/reminder.subject.txt`, `.txt` and `.html` (set `template_prefix` to use
others). Text templates are rendered without HTML escaping; the HTML one with it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
from django.template.loader import get_template
from django.utils.autoreload import file_changed

if TYPE_CHECKING:
    from guildbook.notifications.models import OutboxMessage


@dataclass
class Email:
    """What a kind builds for one outbox row. `attachments` holds (filename, content,
    mimetype) tuples; `headers` extra headers (the worker sets Message-ID itself)."""

    subject: str
    text: str
    html: str = ""
    attachments: list[tuple[str, bytes | str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __iter__(self):
        # So that `subject, text, html, attachments, headers = kind.build(message)` works.
        return iter((self.subject, self.text, self.html, self.attachments, self.headers))


class MessageKind:
    """Base class for a kind of message. Override what differs; the defaults render the
    three templates with `get_context(message)`."""

    name: str = ""  # set by @message_kind
    label: str = ""  # what people and the admin see, e.g. "Reminder before a session"
    template_prefix: str = ""  # default: "<app>/email/<rest of the name>"
    # What the object a message is about is read with (select_related paths on its model),
    # at the claim and again before each send: `("session__course", "person")` for a
    # Booking lets a batch's messages be checked and built without a query each.
    related: tuple[str, ...] = ()
    # Deactivated accounts get no e-mail: a message to one is made void. Only a kind that is
    # meant for them (a notice that the account was closed) says True.
    to_inactive_accounts: bool = False

    def due(self, message: OutboxMessage) -> bool:
        """What the worker asks: `still_due`, and never to a deactivated account."""
        recipient = message.recipient if message.recipient_id else None
        if recipient is not None and not recipient.is_active and not self.to_inactive_accounts:
            return False
        return self.still_due(message)

    def still_due(self, message: OutboxMessage) -> bool:
        """Called by the worker under the row's lock just before sending: answer False and
        the row is made void instead of sent (the booking was cancelled, the offer was
        taken...). The default: still due unless the object it is about is gone."""
        return message.object_id is None or message.about is not None

    def get_context(self, message: OutboxMessage) -> dict[str, Any]:
        return {
            "message": message,
            "about": message.about,
            "recipient": message.recipient,
            "site_url": settings.SITE_URL,
            "service_name": settings.GUILDBOOK_SERVICE_NAME,
            **(message.context or {}),
        }

    def attachments(self, message: OutboxMessage, context: dict) -> list:
        return []

    def headers(self, message: OutboxMessage, context: dict) -> dict[str, str]:
        return {}

    def templates(self) -> tuple[str, str, str]:
        prefix = self.template_prefix or _default_prefix(self.name)
        return (f"{prefix}.subject.txt", f"{prefix}.txt", f"{prefix}.html")

    def build(self, message: OutboxMessage) -> Email:
        context = self.get_context(message)
        subject_name, text_name, html_name = self.templates()
        subject = " ".join(render(subject_name, context, autoescape=False).split())
        return Email(
            subject=subject,
            text=render(text_name, context, autoescape=False).strip() + "\n",
            html=render(html_name, context, autoescape=True),
            attachments=list(self.attachments(message, context)),
            headers=dict(self.headers(message, context)),
        )


def render(template_name: str, context: dict, *, autoescape: bool) -> str:
    return _template(template_name).render(Context(context, autoescape=autoescape))


@functools.lru_cache(maxsize=512)
def _template(template_name: str):
    """The engine's own compiled Template. Django's cached loader keeps it already; asking
    the engine for it again (three times a message) was a tenth of rendering. Forgotten
    when Django forgets its own: the settings that rebuild the engines change (tests), or
    a file changes under the development server."""
    return get_template(template_name).template


@receiver(setting_changed)
def _forget_templates(*, setting, **kwargs):
    if setting in {"TEMPLATES", "DEBUG", "INSTALLED_APPS"}:
        _template.cache_clear()


@receiver(file_changed)
def _forget_changed_templates(**kwargs):
    _template.cache_clear()


def _default_prefix(name: str) -> str:
    app, _, rest = name.partition(".")
    return f"{app}/email/{rest or app}"


def message_id_domain() -> str:
    return _host(settings.SITE_URL)


@functools.lru_cache(maxsize=8)
def _host(url: str) -> str:
    return urlsplit(url).hostname or "guildbook"


# --- The registry ----------------------------------------------------------------------

_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_-]*)+$")
_registry: dict[str, MessageKind] = {}


class UnknownKind(LookupError):
    pass


def register(name: str, kind_class: type[MessageKind]) -> MessageKind:
    """Register `kind_class` under `name` ("app.what"). Registering the same class again
    is harmless (modules can be imported twice); a second class under a taken name is a
    mistake and raises."""
    if not _KIND_NAME.match(name):
        raise ValueError(f"Message kind names look like 'app.what', not {name!r}")
    existing = _registry.get(name)
    if existing is not None and type(existing).__qualname__ != kind_class.__qualname__:
        raise ValueError(f"Message kind {name!r} is already registered by {type(existing)!r}")
    kind_class.name = name
    instance = kind_class()
    _registry[name] = instance
    return instance


def message_kind(name: str):
    """Class decorator: `@message_kind("training.reminder") class Reminder(MessageKind)`."""

    def decorate(kind_class: type[MessageKind]) -> type[MessageKind]:
        register(name, kind_class)
        return kind_class

    return decorate


def get_kind(name: str) -> MessageKind:
    try:
        return _registry[name]
    except KeyError:
        raise UnknownKind(f"No message kind is registered as {name!r}") from None


def is_registered(name: str) -> bool:
    return name in _registry


def registered_kinds() -> dict[str, MessageKind]:
    return dict(_registry)
