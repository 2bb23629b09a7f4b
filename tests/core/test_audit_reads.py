"""Reading someone else's training record, downloading a register or survey answers, and
producing data exports leave an audit entry; the admin lists the trail with filters."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from guildbook.core.models import AuditEntry
from guildbook.training import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def last_entry():
    return AuditEntry.objects.order_by("-id").first()


def test_reading_someone_elses_record_is_audited_and_ones_own_is_not(client, person, officer):
    client.force_login(person)
    client.get(reverse("training:my_record"))
    assert not AuditEntry.objects.filter(action="training_record_viewed").exists()
    client.force_login(officer)
    for name in ("training:person_record", "training:person_record_csv"):
        assert client.get(reverse(name, args=[person.pk])).status_code == 200
    entries = AuditEntry.objects.filter(action="training_record_viewed")
    assert [(e.actor, e.object_id, e.data["fmt"]) for e in entries] == [
        (officer, person.pk, "html"),
        (officer, person.pk, "csv"),
    ]


def test_downloading_a_register_is_audited(client, trainer, session, person):
    services.booking_create(session=session, person=person, actor=person)
    client.force_login(trainer)
    assert client.get(reverse("training:manage_session_csv", args=[session.pk])).status_code == 200
    entry = last_entry()
    assert (entry.action, entry.actor, entry.subject) == ("register_downloaded", trainer, session)


def test_the_admin_lists_the_trail_with_filters(client, person, officer):
    admin = UserFactory(role="administrator", is_staff=True)
    client.force_login(officer)
    client.get(reverse("training:person_record", args=[person.pk]))
    client.force_login(admin)
    url = reverse("admin:core_auditentry_changelist")
    page = client.get(url, {"action": "training_record_viewed", "person": person.pk})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    user_type = ContentType.objects.get_for_model(type(person))
    assert client.get(url, {"about": user_type.pk}).status_code == 200
    entry = last_entry()
    change = reverse("admin:core_auditentry_change", args=[entry.pk])
    assert client.post(change, {"action": "x"}).status_code == 403
