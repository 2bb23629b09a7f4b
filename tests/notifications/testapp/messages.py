"""Message kinds used only by the tests, so delivery is tested without training's kinds."""

from guildbook.notifications.kinds import MessageKind, message_kind


@message_kind("notifications_testapp.note")
class Note(MessageKind):
    """A note to a person about themselves; no longer due once their account is inactive."""

    label = "Test note"

    def still_due(self, message):
        person = message.about
        return person is not None and person.is_active

    def attachments(self, message, context):
        return [("note.txt", f"Note {message.pk}\n", "text/plain")]

    def headers(self, message, context):
        # Which worker sent this copy, on which attempt: the crash test reads these back.
        return {"X-Outbox-Worker": message.claimed_by, "X-Outbox-Attempt": str(message.attempts)}


@message_kind("notifications_testapp.broken")
class Broken(MessageKind):
    label = "A kind whose message cannot be built"

    def build(self, message):
        raise ValueError("template missing a variable")
