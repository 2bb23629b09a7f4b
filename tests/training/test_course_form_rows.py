"""The course form's rows without scripts: moving and adding rows rearranges the page on the
server and saves nothing; "Save the course" keeps the order, all or nothing, through
course_plan_set; required fields say so in words."""

import re

import pytest
from django.urls import reverse

from guildbook.core.audit import audit_trail
from guildbook.core.errors import ServiceError
from guildbook.training import services
from guildbook.training.models import AgendaItem
from tests.training.test_manage_courses import post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


@pytest.fixture
def planned(course, trainer):
    services.course_plan_set(
        course=course,
        actor=trainer,
        agenda=[
            {"title": "Welcome", "minutes": 10},
            {"title": "Introductions", "minutes": 10},
            {"title": "Your first tweet", "minutes": 30},
        ],
    )
    return course


def _agenda_rows(course):
    return [
        {"id": a.pk, "kind": a.kind, "minutes": str(a.minutes), "title": a.title, "ORDER": str(n)}
        for n, a in enumerate(course.agenda.all(), start=1)
    ]


def _legends_in_order(page, label="Agenda item"):
    """Each row's title as the page lists them (the value of its title input)."""
    return re.findall(r'name="agenda-\d+-title" value="([^"]*)"', page)


# --- The service keeps the order, in one transaction ---------------------------------------


def test_the_service_saves_a_new_order_with_new_rows_among_old(planned, trainer):
    welcome, intro, tweet = planned.agenda.all()
    services.course_plan_set(
        course=planned,
        actor=trainer,
        agenda=[
            {"id": intro.pk, "title": "Introductions"},
            {"title": "Coffee", "kind": "discussion"},
            {"id": welcome.pk, "title": "Welcome"},
            {"id": tweet.pk, "title": "Your first tweet"},
        ],
    )
    assert [(a.title, a.order) for a in planned.agenda.all()] == [
        ("Introductions", 1),
        ("Coffee", 2),
        ("Welcome", 3),
        ("Your first tweet", 4),
    ]
    assert AgendaItem.objects.get(pk=intro.pk).order == 1, "the same row, moved"


def test_a_refused_row_leaves_the_old_order_whole(planned, trainer):
    welcome, intro, tweet = planned.agenda.all()
    with pytest.raises(ServiceError, match="Agenda item 3: give the minutes"):
        services.course_plan_set(
            course=planned,
            actor=trainer,
            agenda=[
                {"id": tweet.pk, "title": "Your first tweet"},
                {"id": welcome.pk, "title": "Welcome"},
                {"id": intro.pk, "title": "Introductions", "minutes": 0},
            ],
        )
    assert [(a.title, a.order) for a in planned.agenda.all()] == [
        ("Welcome", 1),
        ("Introductions", 2),
        ("Your first tweet", 3),
    ]


def test_a_plan_row_check_names_the_row_by_its_position():
    item = AgendaItem(title="Welcome", minutes=0)
    with pytest.raises(ServiceError, match="Agenda item 4: give the minutes"):
        services.course_plan_row_check("agenda", item, 4)


# --- The page without scripts ---------------------------------------------------------


def test_moving_a_row_up_without_scripts_rearranges_the_page_and_saves_nothing(
    trainer_client, planned
):
    url = reverse("training:manage_course_edit", args=[planned.slug])
    data = post_data(title=planned.title, agenda=_agenda_rows(planned))
    data["plan_move"] = "agenda:1:up"  # form 1 is "Introductions"
    response = trainer_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Moved “Introductions” up, now 1 of 3." in page
    assert _legends_in_order(page) == ["Introductions", "Welcome", "Your first tweet"]
    # Focus stays on the moved row: at the top now, so on its "Move down".
    assert re.search(r'value="agenda:1:down"[^>]*autofocus', page)
    assert "Please check the fields" not in page
    assert [a.title for a in planned.agenda.all()] == [
        "Welcome",
        "Introductions",
        "Your first tweet",
    ]

    # Saving the page as it now stands keeps the new order.
    data = post_data(title=planned.title, agenda=_agenda_rows(planned))
    data["agenda-1-ORDER"], data["agenda-0-ORDER"] = "1", "2"
    response = trainer_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [a.title for a in planned.agenda.all()] == [
        "Introductions",
        "Welcome",
        "Your first tweet",
    ]
    assert audit_trail(planned).filter(action="course_plan_updated").count() == 2


def test_moving_down_keeps_focus_on_the_same_button(trainer_client, planned):
    url = reverse("training:manage_course_edit", args=[planned.slug])
    data = post_data(title=planned.title, agenda=_agenda_rows(planned))
    data["plan_move"] = "agenda:0:down"
    page = trainer_client.post(url, data).content.decode()
    assert "Moved “Welcome” down, now 2 of 3." in page
    assert re.search(r'value="agenda:0:down"[^>]*autofocus', page)


def test_adding_rows_without_scripts_needs_no_save_and_keeps_what_was_typed(
    trainer_client, planned
):
    url = reverse("training:manage_course_edit", args=[planned.slug])
    data = post_data(title="A new title, not saved yet", agenda=_agenda_rows(planned))
    data["plan_add"] = "agenda"
    response = trainer_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Added an empty agenda item, 4 of 4." in page
    assert 'value="A new title, not saved yet"' in page
    assert 'name="agenda-TOTAL_FORMS" value="4"' in page
    assert re.search(r'<select name="agenda-3-kind"[^>]*autofocus', page)
    planned.refresh_from_db()
    assert planned.title != "A new title, not saved yet"

    # A second "Add another", then the new rows filled in and saved with the course.
    data = post_data(title=planned.title, agenda=_agenda_rows(planned))
    data["plan_add"] = "agenda"
    data["agenda-TOTAL_FORMS"] = "4"
    page = trainer_client.post(url, data).content.decode()
    assert 'name="agenda-TOTAL_FORMS" value="5"' in page
    data = post_data(
        title=planned.title,
        agenda=[
            *_agenda_rows(planned),
            {"kind": "item", "minutes": "5", "title": "Questions"},
            {"kind": "item", "minutes": "", "title": ""},  # left empty: not saved
        ],
    )
    response = trainer_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [a.title for a in planned.agenda.all()][-1] == "Questions"
    assert planned.agenda.count() == 4


def test_a_move_past_the_end_changes_nothing(trainer_client, planned):
    url = reverse("training:manage_course_edit", args=[planned.slug])
    data = post_data(title=planned.title, agenda=_agenda_rows(planned))
    data["plan_move"] = "agenda:0:up"
    page = trainer_client.post(url, data).content.decode()
    assert _legends_in_order(page) == ["Welcome", "Introductions", "Your first tweet"]
    data["plan_move"] = "nonsense"
    assert trainer_client.post(url, data).status_code == 200


def test_required_fields_say_so_in_words_with_an_explanation(trainer_client, planned):
    page = trainer_client.get(
        reverse("training:manage_course_edit", args=[planned.slug])
    ).content.decode()
    assert 'Fields marked <span class="required">(required)</span> must be filled in.' in page
    title_label = re.search(r'<label for="id_title">(.*?)</label>', page).group(1)
    assert "(required)" in title_label
    assert re.search(r'<input type="text" name="title"[^>]*required', page)
    row_title = re.search(r'<label for="id_agenda-0-title">(.*?)</label>', page).group(1)
    assert "(required)" in row_title
    assert re.search(r'name="agenda-0-title"[^>]*aria-required="true"', page)
    summary = re.search(r'<label for="id_audience">(.*?)</label>', page).group(1)
    assert "(required)" not in summary  # optional fields are not marked
    assert 'type="number" name="agenda-0-ORDER"' not in page, "no position numbers to type"
    assert page.count(">Move up</button>") == 6  # 3 rows, and each part's empty row to copy
