"""Seeds and reads a worker database from outside the test process (the crash test and the
delivery benchmark run real `guildbook worker` processes against their own database).

    python -m tests.notifications.crash_tool seed N [--bulk]
    python -m tests.notifications.crash_tool dump
"""

import json
import sys

import django


def seed(count: int, *, bulk: bool = False) -> None:
    from django.db import transaction
    from django.utils import timezone

    from guildbook.accounts.models import User
    from guildbook.notifications.services import outbox_schedule

    person, _ = User.objects.get_or_create(email="crash@example.nhs.uk", defaults={"name": "Cat"})
    now = timezone.now()
    if bulk:  # the benchmark's 10,000 rows: straight in, as outbox_schedule would write them
        from django.contrib.contenttypes.models import ContentType

        from guildbook.notifications.models import OutboxMessage

        ct = ContentType.objects.get_for_model(User)
        OutboxMessage.objects.all().delete()
        OutboxMessage.objects.bulk_create(
            (
                OutboxMessage(
                    kind="notifications_testapp.note",
                    content_type=ct,
                    object_id=person.pk,
                    recipient=person,
                    dedupe_key=f"bench:{i}",
                    context={"body": f"message {i}"},
                    due_at=now,
                    next_attempt_at=now,
                )
                for i in range(count)
            ),
            batch_size=1000,
        )
        return
    with transaction.atomic():
        for i in range(count):
            outbox_schedule(
                kind="notifications_testapp.note",
                about=person,
                recipient=person,
                due_at=now,
                key=f"crash:{i}",
                context={"body": f"message {i}"},
            )


def dump() -> None:
    from guildbook.notifications.models import DeliveryAttempt, OutboxMessage

    rows = list(OutboxMessage.objects.values("id", "status", "attempts", "last_error"))
    attempts = [
        {
            **a,
            **{
                k: a[k].isoformat() if a[k] else None
                for k in ("claimed_at", "lease_expires_at", "finished_at")
            },
        }
        for a in DeliveryAttempt.objects.values(
            "message_id",
            "number",
            "worker",
            "claimed_at",
            "lease_expires_at",
            "finished_at",
            "outcome",
        )
    ]
    json.dump({"rows": rows, "attempts": attempts}, sys.stdout)


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "seed":
        seed(int(sys.argv[2]), bulk="--bulk" in sys.argv)
    else:
        dump()
