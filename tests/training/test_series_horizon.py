"""Series keep their sessions made their set number of months ahead as time passes: the
worker's due work extends them, and doing so twice (or from two workers) changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guildbook.notifications.due_work import registered_due_work, run_due_work
from guildbook.training import services
from guildbook.training.models import Session
from tests.factories import weekly_series

pytestmark = pytest.mark.django_db


def dates_of(series):
    return list(
        Session.objects.filter(series=series)
        .order_by("series_date")
        .values_list("series_date", flat=True)
    )


def test_the_worker_keeps_a_series_filled_ahead_as_time_passes(course, trainer):
    series = weekly_series(course, trainer)  # sessions made a month ahead
    before = dates_of(series)
    assert "training.extend_series" in registered_due_work()
    later = timezone.now() + timedelta(days=60)
    done = run_due_work(later)
    after = dates_of(series)
    assert done["training.extend_series"] == len(after) - len(before) > 0
    assert after[: len(before)] == before
    # Filled to a month after "later", and not beyond.
    horizon = timezone.localdate(later) + timedelta(days=31)
    assert horizon - timedelta(days=7) < after[-1] <= horizon
    # Again, and again from a second worker: nothing more.
    assert services.series_extend_due(now=later) == 0
    assert run_due_work(later)["training.extend_series"] == 0
    assert dates_of(series) == after


def test_a_finished_series_is_left_alone(course, trainer):
    today = timezone.localdate()
    series = weekly_series(course, trainer, ends_on=today + timedelta(days=10))
    made = dates_of(series)
    assert services.series_extend_due(now=timezone.now() + timedelta(days=90)) == 0
    assert dates_of(series) == made


def test_checking_costs_one_query_when_every_series_is_full(
    course, trainer, django_assert_num_queries
):
    for _ in range(3):
        weekly_series(course, trainer)
    with django_assert_num_queries(1):
        assert services.series_extend_due(now=timezone.now()) == 0
