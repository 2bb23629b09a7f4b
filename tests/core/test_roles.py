import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from guildbook.core import roles
from tests.factories import UserFactory


def test_each_app_adds_its_permissions_to_the_roles_through_the_registry():
    granted = roles.role_permissions()
    assert granted[roles.TRAINER] == [
        "training.run_training",
        "training.view_no_show_history",
        "training.log_outreach",
    ]
    # Apps are loaded in an order that depends on which modules a run imported first.
    assert sorted(granted[roles.STAFF_DEVELOPMENT]) == [
        "accounts.change_team",
        "qualifications.decide_funding",
        "training.log_outreach",
        "training.view_training_records",
    ]
    assert granted[roles.MENTOR] == ["qualifications.act_as_mentor"]
    assert set(granted[roles.ADMINISTRATOR]) >= set(granted[roles.TRAINER])
    assert granted[roles.LEARNER] == []


def test_granting_twice_changes_nothing_and_an_unknown_role_is_refused():
    before = roles.role_permissions()
    roles.grant(roles.TRAINER, "training.run_training")
    assert roles.role_permissions() == before
    with pytest.raises(ValueError):
        roles.grant("Juggler", "training.run_training")


@pytest.mark.django_db
def test_permission_required_answers_404_without_the_permission(trainer):
    @roles.permission_required("training.run_training")
    def page(request):
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = UserFactory()
    with pytest.raises(Http404):
        page(request)
    request.user = trainer
    assert page(request).content == b"ok"
