"""Survey results: the figures on a hand-built data set (tests/surveys/results_scene.py),
the pages, the downloads parsed back, the API, who may see them, and query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guildbook.surveys import selectors
from guildbook.surveys.models import SurveyMoment
from tests.api.conftest import ApiClient, assert_error
from tests.factories import CourseFactory, UserFactory
from tests.surveys import results_scene

pytestmark = pytest.mark.django_db

ALL_DATES = {"from": "", "to": ""}


@pytest.fixture
def scene():
    return results_scene.build()


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def _by_text(results):
    return {q.text: q for q in results.questions}


# --- The figures ------------------------------------------------------------------------------


def test_course_figures_count_sent_invitations_responses_and_impact(scene):
    r = selectors.results_for(moment=scene.moment, course=scene.course)
    # Kim's invitation is not due yet and Hal's was withdrawn: neither counts.
    assert r.invitations == 9
    assert r.responses == 5
    assert (r.response_rate.count, r.response_rate.total, r.response_rate.percent) == (5, 9, 56)
    assert (r.impact.count, r.impact.total, r.impact.percent) == (2, 5, 40)
    assert str(r.impact) == "40% (2 of 5)"
    assert [(s.invitations, s.responses) for s in r.sessions] == [(4, 3), (3, 2), (2, 0)]
    assert [s.impact.percent for s in r.sessions] == [67, 0, None]
    assert [s.session_id for s in r.sessions] == [s.pk for s in scene.sessions[:3]]


def test_single_and_multiple_choice_distributions(scene):
    q = _by_text(selectors.results_for(moment=scene.moment, course=scene.course))
    impact = q[results_scene.IMPACT]
    assert impact.is_impact and impact.respondents == 5
    assert [(c.label, c.count, c.share.percent) for c in impact.choices] == [
        ("Yes, regularly", 1, 20),
        ("Yes, a little", 1, 20),
        ("I tried and stopped", 1, 20),
        ("Not yet", 2, 40),
    ]
    assert [c.counts_as_impact for c in impact.choices] == [True, True, False, False]
    # Several choices: shares are of the people who answered, so they can pass 100%.
    helped = q["What helped?"]
    assert helped.respondents == 2
    assert [(c.count, c.share.percent) for c in helped.choices] == [(1, 50), (1, 50), (1, 50)]


def test_scale_mean_and_distribution(scene):
    scale = _by_text(selectors.results_for(moment=scene.moment, course=scene.course))[
        "How confident do you feel using Twitter now?"
    ].scale
    assert scale.answers == 5
    assert scale.mean == 3.0
    assert [(v, n) for v, n, _share in scale.distribution] == [
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 1),
        (5, 1),
    ]
    assert (scale.low_label, scale.high_label) == ("Not at all confident", "Very confident")


def test_scale_mean_is_weighted_by_answers(scene):
    s1 = scene.sessions[0]
    scale = _by_text(selectors.results_for(moment=scene.moment, session=s1))[
        "How confident do you feel using Twitter now?"
    ].scale
    assert scale.mean == round((4 + 2 + 5) / 3, 1)


def test_conditional_question_counts_who_was_shown_it_and_who_skipped(scene):
    way = _by_text(selectors.results_for(moment=scene.moment, course=scene.course))[
        "What got in the way?"
    ]
    # Bob and Fay answered "Not yet" and so were shown it; Fay left it empty.
    assert (way.shown, way.respondents, way.skipped) == (2, 1, 1)
    assert "Not yet" in way.condition
    assert [t.text for t in way.texts] == ["No time"]


def test_versions_are_merged_by_wording_and_say_which_version_asked(scene):
    r = selectors.results_for(moment=scene.moment, course=scene.course)
    q = _by_text(r)
    assert r.versions == [(2, 2), (1, 3)]
    assert q[results_scene.IMPACT].versions == [1, 2]
    assert q[results_scene.IMPACT].all_versions
    # Reworded in version 2: two questions, each saying where it was asked.
    assert q["What helped?"].versions == [1] and not q["What helped?"].all_versions
    assert q["What helped you most?"].versions == [2]
    assert q["What helped you most?"].versions_text == "version 2"
    assert [c.count for c in q["What helped you most?"].choices] == [1, 0, 0]
    # Moved from 4th to 2nd place: still one question with every answer.
    assert q["How confident do you feel using Twitter now?"].versions == [1, 2]


def test_named_free_text_answers_carry_names_for_trainers(scene):
    texts = _by_text(selectors.results_for(moment=scene.moment, course=scene.course))[
        "Anything else?"
    ].texts
    assert [(t.text, t.name) for t in texts] == [
        ("Great session", "Amy Example"),
        ("More sessions please", "Fay Example"),
    ]
    no_names = selectors.results_for(moment=scene.moment, course=scene.course, with_names=False)
    assert all(t.name is None for t in _by_text(no_names)["Anything else?"].texts)


def test_period_filter_keeps_sessions_in_the_dates(scene):
    today = timezone.localdate()
    r = selectors.results_for(
        moment=scene.moment,
        course=scene.course,
        date_from=today - timedelta(days=70),
        date_to=today,
    )
    assert (r.invitations, r.responses) == (5, 2)  # S2 and S3 only
    assert r.impact.percent == 0
    assert r.versions == [(2, 2)]


def test_session_figures(scene):
    r = selectors.results_for(moment=scene.moment, session=scene.sessions[1])
    assert (r.invitations, r.responses, r.impact.count, r.impact.total) == (3, 2, 0, 2)


def test_overview_has_a_line_per_course_and_survey(scene):
    other = results_scene.build(title="Searching PubMed")
    rows = {r.course_title: r for r in selectors.results_overview()}
    assert set(rows) == {"Get Tweeting", "Searching PubMed"}
    row = rows["Get Tweeting"]
    assert (row.invitations, row.responses, row.impact.percent) == (9, 5, 40)
    assert rows["Searching PubMed"].moment_id == other.moment.pk


def test_anonymous_results_show_answers_for_whole_quarters_only(settings):
    settings.SURVEY_ANONYMITY_MIN_RESPONSES = 6
    scene = results_scene.build(anonymous=True)
    # One session is never a cell: counts only, however many answered.
    r = selectors.results_for(moment=scene.moment, session=scene.sessions[0])
    assert r.withheld and r.questions == [] and r.impact.total == 0
    assert (r.invitations, r.responses) == (4, 3)
    # S1's 3 and S2's 2 make no quarter of 6, whichever quarters they fall in.
    course = selectors.results_for(moment=scene.moment, course=scene.course)
    assert course.withheld and course.questions == [] and course.impact.total == 0
    # Ten: the anonymous scene sits a year back, so S4's invitation is due as well.
    assert (course.invitations, course.responses) == (10, 5)
    results_scene.add_answers(scene, 3, session=scene.sessions[0])
    results_scene.add_answers(scene, 4, session=scene.sessions[1])
    course = selectors.results_for(moment=scene.moment, course=scene.course)
    assert not course.withheld and course.impact.total == 12
    assert course.release.withheld_responses == 0
    # Never a session's impact rate: it could be a few people's answer.
    assert [s.impact.total for s in course.sessions] == [0, 0, 0, 0]
    assert [s.withheld for s in course.sessions] == [True, True, False, False]


# --- Pages ------------------------------------------------------------------------------------


def test_course_page_shows_rates_charts_tables_and_free_text(trainer_client, scene):
    url = reverse("surveys:results_course", args=[scene.course.slug])
    page = trainer_client.get(url, ALL_DATES).content.decode()
    assert "56%" in page and "5 of 9 invited" in page
    assert "40%" in page and "2 of 5 who answered the impact question" in page
    # Charts are images with a name and a description, and come with their figures.
    # The trend, and a chart each for the impact question, the scale and the two "helped".
    assert page.count('role="img"') == 5
    assert '<title id="trend-chart-title">' in page and '<desc id="q1-chart-desc">' in page
    assert "Not yet: 2 (40%)" in page
    assert "<caption>Each session's invitations, responses and impact rate</caption>" in page
    assert "75% (3 of 4)" in page and "67% (2 of 3)" in page
    assert "Average 3.0 out of 5" in page
    assert "Asked in version 1 only" in page
    assert "shown to 2, skipped by 1" in page
    assert "Great session" in page and "Amy Example" in page
    assert reverse("surveys:results_course_csv", args=[scene.course.slug]) in page


def test_course_page_defaults_to_the_last_twelve_months(trainer_client, scene):
    old = results_scene.ended_session(scene.course, 400)
    inv = results_scene.invite(scene.moment, old, UserFactory(), template=scene.v1.template)
    results_scene.respond(inv, scene.v1, {"impact": "Yes, regularly"}, anonymous=False)
    url = reverse("surveys:results_course", args=[scene.course.slug])
    assert "5 of 9 invited" in trainer_client.get(url).content.decode()
    assert "6 of 10 invited" in trainer_client.get(url, ALL_DATES).content.decode()


def test_bad_dates_get_a_message_not_an_error(trainer_client, scene):
    url = reverse("surveys:results_course", args=[scene.course.slug])
    response = trainer_client.get(url, {"from": "last tuesday", "to": "2020-13-45"})
    assert response.status_code == 200
    assert "is not a date" in response.content.decode()
    response = trainer_client.get(url, {"from": "2026-01-01", "to": "2025-01-01"})
    assert "swapped" in response.content.decode()


def test_session_page_and_overview(trainer_client, scene):
    s1 = scene.sessions[0]
    page = trainer_client.get(reverse("surveys:results_session", args=[s1.pk])).content.decode()
    assert "3 of 4 invited" in page and "2 of 3 who answered" in page
    assert reverse("surveys:results_session_xlsx", args=[s1.pk]) in page
    page = trainer_client.get(reverse("surveys:results")).content.decode()
    assert "Get Tweeting" in page and "56% (5 of 9)" in page and "40% (2 of 5)" in page


def test_manage_pages_link_to_the_results(trainer_client, scene):
    course_page = trainer_client.get(
        reverse("training:manage_course", args=[scene.course.slug])
    ).content.decode()
    assert reverse("surveys:results_course", args=[scene.course.slug]) in course_page
    s1 = scene.sessions[0]
    session_page = trainer_client.get(
        reverse("training:manage_session", args=[s1.pk])
    ).content.decode()
    assert reverse("surveys:results_session", args=[s1.pk]) in session_page
    dashboard = trainer_client.get(reverse("training:manage")).content.decode()
    assert reverse("surveys:results") in dashboard


def test_a_course_without_a_survey_says_so(trainer_client):
    bare = CourseFactory()
    SurveyMoment.objects.filter(course=bare).delete()
    page = trainer_client.get(reverse("surveys:results_course", args=[bare.slug]))
    assert page.status_code == 200
    assert "no follow-up survey" in page.content.decode()
    assert (
        trainer_client.get(reverse("surveys:results_course_csv", args=[bare.slug])).status_code
        == 404
    )


@pytest.mark.parametrize(
    "name,arg",
    [
        ("results", None),
        ("results_course", "slug"),
        ("results_course_csv", "slug"),
        ("results_course_xlsx", "slug"),
        ("results_session", "pk"),
        ("results_session_csv", "pk"),
        ("results_session_xlsx", "pk"),
    ],
)
def test_learners_and_officers_get_404(client, person, officer, scene, name, arg):
    args = {None: [], "slug": [scene.course.slug], "pk": [scene.sessions[0].pk]}[arg]
    url = reverse(f"surveys:{name}", args=args)
    for who in (person, officer, scene.people["Amy"]):
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_unknown_course_or_session_is_404(trainer_client):
    assert trainer_client.get(reverse("surveys:results_course", args=["nope"])).status_code == 404
    assert trainer_client.get(reverse("surveys:results_session", args=[999999])).status_code == 404


# --- Downloads --------------------------------------------------------------------------------


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    return wb, [list(r) for r in wb["Answers"].iter_rows(values_only=True)]


def test_csv_has_a_row_per_response_and_a_column_per_question(trainer_client, scene):
    url = reverse("surveys:results_course_csv", args=[scene.course.slug])
    rows = _csv(trainer_client.get(url, ALL_DATES))
    header, body = rows[0], rows[1:]
    assert header == [
        "Course",
        "Session date",
        "Session start",
        "Survey",
        "Version",
        "Name",
        "E-mail",
        results_scene.IMPACT,
        "How confident do you feel using Twitter now?",
        "What helped?",
        "What helped you most?",
        "What got in the way?",
        "Anything else?",
    ]
    assert len(body) == 5
    amy = next(r for r in body if r[5] == "Amy Example")
    assert amy[7:] == [
        "Yes, regularly",
        "4",
        "The handout; Practising in the session",
        "",
        "",
        "Great session",
    ]
    assert amy[6] == scene.people["Amy"].email and amy[4] == "1"
    fay = next(r for r in body if r[5] == "Fay Example")
    assert fay[4] == "2" and fay[7] == "Not yet" and fay[11] == ""
    # By session, then by the answers: never in the order they were given.
    assert [r[7] for r in body] == [
        "Not yet",
        "Yes, a little",
        "Yes, regularly",
        "I tried and stopped",
        "Not yet",
    ]


def test_xlsx_has_the_same_rows_and_a_sheet_of_figures(trainer_client, scene):
    csv_rows = _csv(
        trainer_client.get(
            reverse("surveys:results_course_csv", args=[scene.course.slug]), ALL_DATES
        )
    )
    wb, rows = _xlsx(
        trainer_client.get(
            reverse("surveys:results_course_xlsx", args=[scene.course.slug]), ALL_DATES
        )
    )
    as_text = [["" if v is None else str(v) for v in row] for row in rows]
    assert as_text == csv_rows
    figures = dict(wb["Figures"].iter_rows(values_only=True))
    assert figures["Invitations"] == 9 and figures["Responses"] == 5
    assert figures["Impact rate"] == "40% (2 of 5)"


def test_session_download_has_only_that_session(trainer_client, scene):
    s2 = scene.sessions[1]
    rows = _csv(trainer_client.get(reverse("surveys:results_session_csv", args=[s2.pk])))
    assert sorted(r[5] for r in rows[1:]) == ["Eve Example", "Fay Example"]
    _wb, xrows = _xlsx(trainer_client.get(reverse("surveys:results_session_xlsx", args=[s2.pk])))
    assert len(xrows) == 3


def test_downloads_never_run_answers_as_formulas(trainer_client, scene):
    inv = scene.invitations["Gus"]
    results_scene.respond(
        inv, scene.v2, {"impact": "Not yet", "else": '=HYPERLINK("x")'}, anonymous=False
    )
    s2 = scene.sessions[1]
    text = trainer_client.get(reverse("surveys:results_session_csv", args=[s2.pk])).content
    assert b"'=HYPERLINK" in text
    wb, _rows = _xlsx(trainer_client.get(reverse("surveys:results_session_xlsx", args=[s2.pk])))
    cells = [c for row in wb["Answers"].iter_rows() for c in row if c.value]
    formula_cells = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert formula_cells and all(c.data_type == "s" for c in formula_cells)


# --- API --------------------------------------------------------------------------------------


def test_api_gives_trainers_the_same_figures_without_names(trainer, scene):
    api = ApiClient(trainer)
    body = api.get("/api/v1/surveys/results", {"course": scene.course.slug}).json()
    assert body["course"]["slug"] == scene.course.slug
    (r,) = body["results"]
    assert (r["invitations"], r["responses"]) == (9, 5)
    assert r["response_rate"] == {"count": 5, "total": 9, "percent": 56}
    assert r["impact_rate"] == {"count": 2, "total": 5, "percent": 40}
    assert [s["response_rate"]["percent"] for s in r["sessions"]] == [75, 67, 0]
    q = {x["text"]: x for x in r["questions"]}
    assert q["How confident do you feel using Twitter now?"]["scale"]["mean"] == 3.0
    assert q["What got in the way?"]["shown"] == 2
    assert q["Anything else?"]["answers"] == ["Great session", "More sessions please"]
    text = str(body)
    for person in scene.people.values():
        assert person.name not in text and person.email not in text

    by_id = api.get("/api/v1/surveys/results", {"session": scene.sessions[0].pk}).json()
    assert by_id["results"][0]["invitations"] == 4

    overview = api.get("/api/v1/surveys/results", {"from": "2000-01-01"}).json()
    assert overview["from"] == "2000-01-01"
    assert overview["courses"][0]["impact_rate"]["percent"] == 40


def test_api_refuses_everyone_but_trainers(person, scene):
    assert_error(
        ApiClient(person).get("/api/v1/surveys/results", {"course": scene.course.slug}),
        403,
        "not_allowed",
    )
    assert_error(ApiClient().get("/api/v1/surveys/results"), 401)


def test_api_bad_input(trainer, scene):
    api = ApiClient(trainer)
    assert_error(api.get("/api/v1/surveys/results", {"course": "nope"}), 404)
    assert_error(api.get("/api/v1/surveys/results", {"session": 99999}), 404)
    assert_error(api.get("/api/v1/surveys/results", {"from": "soon"}), 422, field="from")
    assert_error(
        api.get("/api/v1/surveys/results", {"from": "2026-02-01", "to": "2026-01-01"}),
        400,
        field="from",
    )
    assert_error(
        api.get("/api/v1/surveys/results", {"course": scene.course.slug, "moment": 0}),
        400,
        field="moment",
    )


# --- Query counts -----------------------------------------------------------------------------


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "page",
    [
        "course",
        "session",
        "overview",
        "course_csv",
        "course_xlsx",
        "session_csv",
        "api",
    ],
)
@pytest.mark.parametrize("anonymous", [False, True])
def test_query_count_does_not_grow_with_answers(trainer_client, trainer, page, anonymous):
    scene = results_scene.build(anonymous=anonymous)
    s1 = scene.sessions[0]
    urls = {
        "course": (reverse("surveys:results_course", args=[scene.course.slug]), ALL_DATES),
        "session": (reverse("surveys:results_session", args=[s1.pk]), None),
        "overview": (reverse("surveys:results"), ALL_DATES),
        "course_csv": (reverse("surveys:results_course_csv", args=[scene.course.slug]), ALL_DATES),
        "course_xlsx": (
            reverse("surveys:results_course_xlsx", args=[scene.course.slug]),
            ALL_DATES,
        ),
        "session_csv": (reverse("surveys:results_session_csv", args=[s1.pk]), None),
    }
    if page == "api":
        api = ApiClient(trainer)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                response = api.get("/api/v1/surveys/results", {"course": scene.course.slug})
                assert response.status_code == 200
            return len(ctx.captured_queries)
    else:
        url, params = urls[page]

        def count():
            return _count(trainer_client, url, params)

    count()  # once first, so a token's "last used" and caches are written outside the count
    results_scene.add_answers(scene, 4)  # 1×: about ten answered invitations on S1
    small = count()
    results_scene.add_answers(scene, 90)  # 10×
    large = count()
    assert small == large, (page, small, large)
    assert large <= 20, large


def test_results_count_figures_in_the_database_not_in_python(scene):
    """Growing the answers tenfold changes no query: the counts come back aggregated."""
    results_scene.add_answers(scene, 4)
    with CaptureQueriesContext(connection) as small:
        selectors.results_for(moment=scene.moment, course=scene.course, with_texts=False)
    results_scene.add_answers(scene, 90)
    with CaptureQueriesContext(connection) as large:
        r = selectors.results_for(moment=scene.moment, course=scene.course, with_texts=False)
    assert len(small.captured_queries) == len(large.captured_queries) <= 8
    assert r.responses == 5 + 94
    assert any("GROUP BY" in q["sql"] for q in large.captured_queries)


# --- The learner's side: their own answers in their training record ---------------------------


def test_a_named_respondent_sees_their_own_answers_in_their_record(client, scene, officer):
    amy = scene.people["Amy"]
    client.force_login(amy)
    page = client.get(reverse("training:my_record")).content.decode()
    assert "My answers to follow-up surveys" in page
    assert results_scene.IMPACT in page and "Yes, regularly" in page
    assert "The handout; Practising in the session" in page
    assert "Great session" in page
    assert "No time" not in page  # Bob's answer
    # Someone who was invited but did not answer has no section.
    client.force_login(scene.people["Dan"])
    assert (
        "My answers to follow-up surveys"
        not in client.get(reverse("training:my_record")).content.decode()
    )
    # Answers are the person's own: not shown on the record a development officer opens.
    client.force_login(officer)
    page = client.get(reverse("training:person_record", args=[amy.pk])).content.decode()
    assert "My answers to follow-up surveys" not in page and "Great session" not in page


def test_record_query_count_does_not_grow_with_survey_answers(client, scene):
    amy = scene.people["Amy"]
    client.force_login(amy)

    def answer_more(n):
        for i in range(n):
            session = results_scene.ended_session(scene.course, 100 + i)
            inv = results_scene.invite(scene.moment, session, amy, template=scene.v2.template)
            results_scene.respond(
                inv,
                scene.v2,
                {"impact": "Yes, a little", "helped": ["The handout", "A colleague"], "scale": 4},
                anonymous=False,
            )

    url = reverse("training:my_record")
    _count(client, url)
    answer_more(1)
    small = _count(client, url)
    answer_more(10)
    large = _count(client, url)
    assert small == large, (small, large)
    assert large <= 12


# --- Charts -----------------------------------------------------------------------------------


def test_bar_chart_is_a_named_described_image_with_its_figures_as_rows():
    from guildbook.core import charts

    chart = charts.bar_chart(
        "c1", "Have you used <it>?", [("Yes & more", 3, 75), ("No", 1, 25)], label_heading="Answer"
    )
    svg = str(chart.svg)
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Have you used &lt;it&gt;?</title>' in svg
    assert "Yes &amp; more: 3 (75%); No: 1 (25%)" in svg
    assert "style=" not in svg  # the CSP allows no inline styles
    assert chart.rows == [["Yes & more", "3", "75%"], ["No", "1", "25%"]]
    # The longest bar is the biggest count; a zero count draws no bar.
    zero = str(charts.bar_chart("c2", "t", [("A", 0, 0)], label_heading="Answer").svg)
    assert 'width="0"' in zero


def test_trend_chart_leaves_a_gap_where_a_session_has_no_rate():
    from guildbook.core import charts

    points = [
        charts.TrendPoint("1 Jan", 50, 40, ["1 Jan"]),
        charts.TrendPoint("1 Feb", 60, None, ["1 Feb"]),
        charts.TrendPoint("1 Mar", 70, 20, ["1 Mar"]),
    ]
    svg = str(charts.trend_chart("t", "Trend", points, columns=["Session"]).svg)
    # The response rate is one line through three points; the impact rate has a gap, so no
    # line joins its two points (they are drawn as markers only).
    assert svg.count("<polyline") == 1
    assert svg.count("<rect") == 2 + 1  # two impact markers and the legend's
    assert "1 Feb: response rate 60%, impact rate –" in svg
