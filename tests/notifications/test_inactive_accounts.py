"""Deactivated accounts get no e-mail: a message to one is made void, whatever its kind,
unless the kind says it is meant for them (a notice of the deactivation itself)."""

from django.db import transaction
from django.utils import timezone

from guildbook.notifications import delivery, services
from guildbook.notifications.kinds import MessageKind, register
from tests.factories import UserFactory

NOTE = "notifications_testapp.note"
T0 = timezone.now().replace(microsecond=0)


class Farewell(MessageKind):
    label = "Your account was closed"
    template_prefix = "notifications_testapp/email/note"
    to_inactive_accounts = True


register("notifications_testapp.farewell", Farewell)


def queue(kind, *, about, recipient):
    with transaction.atomic():
        return services.outbox_schedule(
            kind=kind, about=about, recipient=recipient, due_at=T0, context={"body": "x"}
        )


def test_no_mail_to_a_deactivated_account(smtp, db):
    active, gone = UserFactory(), UserFactory(is_active=False)
    # About an active person (so the kind itself would still send it), to one who left.
    to_gone = queue(NOTE, about=active, recipient=gone)
    to_active = queue(NOTE, about=active, recipient=active)
    counts = delivery.Worker(worker_id="w").step(now=T0)
    assert (counts["sent"], counts["void"]) == (1, 1)
    to_gone.refresh_from_db()
    to_active.refresh_from_db()
    assert (to_gone.status, to_active.status) == ("void", "sent")
    assert [m["To"] for m in smtp.messages] == [active.email]


def test_deactivated_between_claim_and_send_gets_nothing(smtp, db):
    people = UserFactory.create_batch(3)
    rows = [queue(NOTE, about=people[0], recipient=p) for p in people]
    worker = delivery.Worker(worker_id="w")
    claimed, _ = delivery.claim_due(worker=worker.id, now=T0)
    people[2].is_active = False
    people[2].save()
    delivery.deliver(claimed, worker=worker.id, clock=lambda: T0)
    rows[2].refresh_from_db()
    assert rows[2].status == "void"
    assert people[2].email not in [m["To"] for m in smtp.messages]


def test_a_kind_meant_for_deactivated_accounts_still_reaches_them(smtp, db):
    gone = UserFactory(is_active=False)
    queue("notifications_testapp.farewell", about=gone, recipient=gone)
    assert delivery.Worker(worker_id="w").step(now=T0)["sent"] == 1
