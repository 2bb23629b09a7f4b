"""Anonymous results cannot be subtracted from each other to single anybody out.

A trainer plays the attacker on a survey whose sessions sit in fixed quarters of 2025,
some with a single attendee: they ask for every scope the pages, the CSV and XLSX
downloads and the API offer (all dates, open-ended dates, quarter edges, session dates and
a day either side, each survey, each session) and compare every pair of answers. Each
response carries a unique free-text marker, so what a result released is visible; the
impact counts must agree with it. However two results are subtracted, the difference is
nobody or at least k people.
"""

import csv
import io
import itertools
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guildbook.surveys import anonymity
from guildbook.surveys.models import SurveyMoment
from tests.api.conftest import ApiClient
from tests.factories import CourseFactory, SessionFactory, SurveyMomentFactory, UserFactory
from tests.surveys import results_scene

pytestmark = pytest.mark.django_db

K = 5
MARKER = re.compile(r"marker-(\d+)")

# (session date, responses): quarters of 2025 with 6 (released), 3 (withheld), 5 and 5.
FOLLOW_UP = [
    (date(2025, 1, 15), 3),
    (date(2025, 2, 10), 1),  # one attendee
    (date(2025, 3, 31), 2),  # the last day of a quarter
    (date(2025, 4, 1), 1),  # one attendee, the first day of the next
    (date(2025, 5, 20), 2),
    (date(2025, 7, 1), 5),
    (date(2025, 10, 10), 4),
    (date(2025, 12, 31), 1),  # one attendee, the last day of the year
]
# A second anonymous survey on the same course, asked of some of the same sessions.
QUICK = [(date(2025, 2, 10), 1), (date(2025, 5, 20), 2), (date(2025, 7, 1), 5)]


@pytest.fixture(autouse=True)
def _k(settings):
    settings.SURVEY_ANONYMITY_MIN_RESPONSES = K


@pytest.fixture
def world(db):
    course = CourseFactory(title="Critical appraisal", slug="critical-appraisal")
    SurveyMoment.objects.filter(course=course).delete()
    v = results_scene.make_version()
    tz = timezone.get_current_timezone()
    sessions = {}
    for day, _n in FOLLOW_UP:
        starts = datetime.combine(day, time(10), tz)
        sessions[day] = SessionFactory(
            course=course, starts_at=starts, ends_at=starts + timedelta(minutes=90)
        )
    moments = {}
    cell_of: dict[int, anonymity.Quarter] = {}  # marker → quarter
    moment_of: dict[int, int] = {}  # marker → moment id
    n = 0
    for name, days_after, plan in (("Follow-up", 30, FOLLOW_UP), ("How was it?", 0, QUICK)):
        moment = SurveyMomentFactory(
            course=course, name=name, template=v.template, days_after=days_after, anonymous=True
        )
        moments[name] = moment
        for day, count in plan:
            for _i in range(count):
                n += 1
                inv = results_scene.invite(
                    moment, sessions[day], UserFactory(), template=v.template
                )
                choice = results_scene.IMPACT_CHOICES[n % 4][0]
                results_scene.respond(
                    inv, v, {"impact": choice, "else": f"marker-{n}"}, anonymous=True
                )
                cell_of[n] = anonymity.Quarter.of(day)
                moment_of[n] = moment.pk
    return course, moments, sessions, cell_of, moment_of


def _markers(text: str) -> frozenset[int]:
    return frozenset(int(m) for m in MARKER.findall(text))


def _impact_total(text: str) -> int | None:
    """The impact rate's "n of t": t, from a page's headline figures or an XLSX summary."""
    found = re.search(r"(\d+) of (\d+) who answered the impact question", text)
    return int(found.group(2)) if found else None


def _xlsx_text(content: bytes) -> str:
    wb = load_workbook(io.BytesIO(content))
    return "\n".join(
        "" if v is None else str(v)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
    )


def _date_choices():
    """Open, the quarters' edges and a day either side, a one-attendee session's day ±1."""
    days = [(2025, 1, 1), (2025, 2, 9), (2025, 2, 10), (2025, 2, 11), (2025, 3, 30)]
    days += [(2025, 3, 31), (2025, 4, 1), (2025, 4, 2), (2025, 6, 30), (2025, 7, 1)]
    days += [(2025, 12, 31), (2026, 1, 1)]
    return ["", *(date(*d).isoformat() for d in days)]


def _ranges():
    choices = _date_choices()
    for a, b in itertools.product(choices, repeat=2):
        if a and b and a > b:
            continue
        yield a, b


def _dates(a: str, b: str) -> dict:
    """The API takes no empty dates: an open side is left out."""
    return {k: v for k, v in (("from", a), ("to", b)) if v}


def _released(client, api, world) -> dict[tuple, frozenset[int]]:
    """Every scope a trainer can ask for, with the markers it released."""
    course, moments, sessions, _cell_of, _moment_of = world
    out = {}
    csv_url = reverse("surveys:results_course_csv", args=[course.slug])
    xlsx_url = reverse("surveys:results_course_xlsx", args=[course.slug])
    page_url = reverse("surveys:results_course", args=[course.slug])
    ranges = list(_ranges())
    for moment in moments.values():
        # Every range for the follow-up; every third for the second survey (time, not risk).
        step = 1 if moment.name == "Follow-up" else 3
        for i, (a, b) in enumerate(ranges[::step]):
            params = {"from": a, "to": b, "moment": moment.pk}
            if i % 2 == 0 or step > 1:
                page = client.get(page_url, params).content.decode()
                out["page", moment.pk, a, b] = _markers(page)
                impact = _impact_total(page)
                assert impact in (None, len(out["page", moment.pk, a, b])), (params, impact)
            out["csv", moment.pk, a, b] = _markers(client.get(csv_url, params).content.decode())
            body = api.get(
                "/api/v1/surveys/results",
                {"course": course.slug, "moment": moment.pk, **_dates(a, b)},
            ).json()["results"][0]
            answers = [t for q in body["questions"] for t in q["answers"]]
            out["api", moment.pk, a, b] = _markers(" ".join(answers))
            assert body["impact_rate"]["total"] == len(out["api", moment.pk, a, b])
            assert all(s["impact_rate"]["total"] == 0 for s in body["sessions"])
            if i % 4 == 0:  # the XLSX's rows are the CSV's: a quarter of the ranges is enough
                text = _xlsx_text(client.get(xlsx_url, params).content)
                out["xlsx", moment.pk, a, b] = _markers(text)
                assert out["xlsx", moment.pk, a, b] == out["csv", moment.pk, a, b]
        for session in sessions.values():
            params = {"moment": moment.pk}
            for kind in ("csv", "xlsx"):
                url = reverse(f"surveys:results_session_{kind}", args=[session.pk])
                response = client.get(url, params)
                text = response.content.decode() if kind == "csv" else _xlsx_text(response.content)
                out[kind, "session", moment.pk, session.pk] = _markers(text)
            page = client.get(reverse("surveys:results_session", args=[session.pk]), params)
            out["page", "session", moment.pk, session.pk] = _markers(page.content.decode())
            body = api.get(
                "/api/v1/surveys/results", {"session": session.pk, "moment": moment.pk}
            ).json()["results"][0]
            out["api", "session", moment.pk, session.pk] = _markers(str(body["questions"]))
            assert body["impact_rate"]["total"] == 0
    return out


def test_no_two_scopes_differ_by_fewer_than_k_people(client, world):
    _course, moments, _sessions, cell_of, moment_of = world
    trainer = UserFactory(role="trainer")
    client.force_login(trainer)
    api = ApiClient(trainer)
    released = _released(client, api, world)

    # Each released set is whole cells (a survey's quarter) of at least k responses ...
    cells: dict[tuple, set[int]] = {}
    for marker, quarter in cell_of.items():
        cells.setdefault((moment_of[marker], quarter), set()).add(marker)
    for scope, markers in released.items():
        for m in markers:
            cell = cells[moment_of[m], cell_of[m]]
            assert cell <= markers, (scope, sorted(cell - markers))
            assert len(cell) >= K, (scope, sorted(cell))
    # ... so no two results, subtracted either way, isolate fewer than k people.
    distinct = set(released.values())
    for a, b in itertools.combinations(distinct, 2):
        assert len(a - b) in (0,) or len(a - b) >= K, (sorted(a), sorted(b))
        assert len(b - a) in (0,) or len(b - a) >= K, (sorted(a), sorted(b))
    # Something was released: the test looks at real answers, not empty pages.
    follow_up = moments["Follow-up"].pk
    everything = released["csv", follow_up, "", ""]
    assert len(everything) == 6 + 5 + 5  # 2025 Q1, Q3 and Q4; Q2 has only 3
    # The quick survey: 1 in Q1 and 2 in Q2 never shown, Q3's 5 shown.
    assert len(released["api", moments["How was it?"].pk, "", ""]) == 5


def test_the_counts_across_courses_differ_by_whole_cells_only(client, world):
    _course, moments, _sessions, _cell_of, _moment_of = world
    trainer = UserFactory(role="trainer")
    client.force_login(trainer)
    api = ApiClient(trainer)
    sizes = {anonymity.Quarter(2025, 1): 6, anonymity.Quarter(2025, 3): 5}
    sizes[anonymity.Quarter(2025, 4)] = 5  # Q2's 3 are never counted
    follow_up = moments["Follow-up"].pk
    for a, b in _ranges():
        body = api.get("/api/v1/surveys/results", _dates(a, b)).json()
        rows = [r for r in body["courses"] if r["moment"]["id"] == follow_up]
        total = rows[0]["impact_rate"]["total"] if rows else 0
        # Exactly the released quarters the dates touch: whole cells, each of k or more.
        first = anonymity.Quarter.of(date.fromisoformat(a)) if a else anonymity.Quarter(1, 1)
        last = anonymity.Quarter.of(date.fromisoformat(b)) if b else anonymity.Quarter(9999, 4)
        expected = sum(n for q, n in sizes.items() if first <= q <= last)
        assert total == expected, (a, b, rows)
    # The overview page shows the same figures: one day of February counts its whole quarter.
    page = client.get(reverse("surveys:results"), {"from": "2025-02-10", "to": "2025-02-10"})
    impact_cells = re.findall(r'<td class="num">([^<]*)</td>\s*</tr>', page.content.decode())
    assert any(c.endswith(" of 6)") for c in impact_cells), impact_cells
    assert "Anonymous surveys count sessions in whole quarters" in page.content.decode()


def test_one_attendee_session_is_never_given_away_by_the_csv(client, world):
    """The audit's case: one person alone attended and answered; the course's CSV over all
    dates for that survey must not hold a row that is theirs by its session date."""
    course, moments, sessions, cell_of, _moment_of = world
    trainer = UserFactory(role="trainer")
    client.force_login(trainer)
    follow_up = moments["Follow-up"]
    url = reverse("surveys:results_course_csv", args=[course.slug])
    response = client.get(url, {"from": "", "to": "", "moment": follow_up.pk})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Course", "Period", "Survey"]
    for word in ("Session", "date", "start", "Version", "Name", "E-mail"):
        assert not any(word.lower() in h.lower() for h in header[:3]), header
    text = response.content.decode()
    for day in sessions:
        assert day.isoformat() not in text and day.strftime("%d/%m/%Y") not in text
    # The one-attendee session of 1 April sits in a quarter of three: none of it shown.
    alone = {m for m, q in cell_of.items() if q == anonymity.Quarter(2025, 2)}
    assert not (_markers(text) & alone)
    # The one of 10 February is among its quarter's six, in answer order, not by session.
    assert [r[1] for r in body].count(str(anonymity.Quarter(2025, 1))) == 6
    quarters = [r[1] for r in body]
    assert quarters == sorted(quarters, key=lambda q: (q[:4], q[-1]))
    # That session's own downloads and page give no answer at all.
    feb = sessions[date(2025, 2, 10)]
    session_csv = reverse("surveys:results_session_csv", args=[feb.pk])
    assert _markers(client.get(session_csv, {"moment": follow_up.pk}).content.decode()) == set()
    page = client.get(reverse("surveys:results_session", args=[feb.pk]), {"moment": follow_up.pk})
    assert _markers(page.content.decode()) == set()
    assert "not shown session by session" in page.content.decode()
    # Two dates a day apart around it give the same answers.
    a = client.get(url, {"from": "2025-02-10", "to": "2025-02-10", "moment": follow_up.pk})
    b = client.get(url, {"from": "2025-02-11", "to": "2025-03-30", "moment": follow_up.pk})
    assert _markers(a.content.decode()) == _markers(b.content.decode())


def test_the_threshold_is_a_setting(client, world, settings):
    course, moments, _sessions, _cell_of, _moment_of = world
    trainer = UserFactory(role="trainer")
    client.force_login(trainer)
    url = reverse("surveys:results_course_csv", args=[course.slug])
    params = {"from": "", "to": "", "moment": moments["Follow-up"].pk}
    settings.SURVEY_ANONYMITY_MIN_RESPONSES = 7
    assert _markers(client.get(url, params).content.decode()) == set()
    settings.SURVEY_ANONYMITY_MIN_RESPONSES = 3
    assert len(_markers(client.get(url, params).content.decode())) == 6 + 3 + 5 + 5


def test_a_quarter_is_held_back_until_its_surveys_have_closed(client, world):
    """A late answer must not be singled out by asking the same question before and after
    it arrives: a quarter is shown only once every survey of its sessions has closed."""
    course, moments, _sessions, cell_of, moment_of = world
    trainer = UserFactory(role="trainer")
    client.force_login(trainer)
    follow_up = moments["Follow-up"]
    url = reverse("surveys:results_course_csv", args=[course.slug])
    params = {"from": "", "to": "", "moment": follow_up.pk}
    q4 = {m for m, q in cell_of.items() if q == anonymity.Quarter(2025, 4)}
    q4 &= {m for m, moment in moment_of.items() if moment == follow_up.pk}
    assert len(q4) == 5
    assert q4 <= _markers(client.get(url, params).content.decode())

    # Surveys sent so long after the session that the last quarter's are still open today.
    follow_up.days_after = (timezone.localdate() - date(2025, 12, 31)).days
    follow_up.save(update_fields=["days_after"])
    shown = _markers(client.get(url, params).content.decode())
    assert not (shown & q4)
    assert len(shown) == 6 + 5  # the first and third quarters, long closed, still shown
    api = ApiClient(trainer)
    body = api.get(
        "/api/v1/surveys/results", {"course": course.slug, "moment": follow_up.pk}
    ).json()["results"][0]
    answers = _markers(" ".join(t for q in body["questions"] for t in q["answers"]))
    assert answers == shown


def test_release_waits_for_the_window_to_close():
    tz = timezone.get_current_timezone()
    starts = [(datetime(2025, 11, 3, 10, tzinfo=tz), 5)]
    window = 30 + 21
    last_open = date(2025, 12, 31) + timedelta(days=window + 1)
    held = anonymity.release(starts, window=window, today=last_open)
    shown = anonymity.release(starts, window=window, today=last_open + timedelta(days=1))
    assert held.released == [] and held.withheld_responses == 5
    assert shown.released_responses == 5
