from django.urls import path

from guildbook.qualifications.views import candidates, funding, mentors

app_name = "qualifications"

# Candidates (views/candidates.py).
urlpatterns = [
    path("qualifications/", candidates.home, name="home"),
    path("qualifications/schemes/<slug:slug>/", candidates.scheme, name="scheme"),
    path("qualifications/candidacies/<int:pk>/", candidates.candidacy, name="candidacy"),
    path(
        "qualifications/candidacies/<int:pk>/steps/<slug:code>/",
        candidates.step,
        name="step",
    ),
    path("qualifications/candidacies/<int:pk>/outcome/", candidates.outcome, name="outcome"),
    path("qualifications/candidacies/<int:pk>/withdraw/", candidates.withdraw, name="withdraw"),
    path(
        "qualifications/candidacies/<int:pk>/mentors/", candidates.find_mentor, name="find_mentor"
    ),
    path(
        "qualifications/candidacies/<int:pk>/mentors/<int:mentor_pk>/",
        candidates.request_mentor,
        name="request_mentor",
    ),
    path(
        "qualifications/requests/<int:pk>/withdraw/",
        candidates.request_withdraw,
        name="request_withdraw",
    ),
    path("qualifications/candidacies/<int:pk>/goals/new/", candidates.goal_new, name="goal_new"),
    path("qualifications/goals/<int:pk>/", candidates.goal_edit, name="goal_edit"),
    path("qualifications/goals/<int:pk>/activities/", candidates.activity_new, name="activity_new"),
    path(
        "qualifications/activities/<int:pk>/book/", candidates.activity_book, name="activity_book"
    ),
    path(
        "qualifications/candidacies/<int:pk>/funding/new/",
        candidates.funding_new,
        name="funding_new",
    ),
    path("qualifications/mentors/", candidates.directory, name="directory"),
]

# Mentors (views/mentors.py).
urlpatterns += [
    path("qualifications/mentoring/", mentors.mentor_home, name="mentor_home"),
    path("qualifications/mentoring/profile/", mentors.mentor_profile, name="mentor_profile"),
    path(
        "qualifications/mentoring/requests/<int:pk>/",
        mentors.request_answer,
        name="request_answer",
    ),
    path(
        "qualifications/candidacies/<int:pk>/meetings/new/",
        mentors.meeting_new,
        name="meeting_new",
    ),
    path("qualifications/actions/<int:pk>/done/", mentors.action_done, name="action_done"),
    path("qualifications/goals/<int:pk>/comment/", mentors.goal_comment, name="goal_comment"),
    path("qualifications/candidacies/<int:pk>/plan/agree/", mentors.plan_agree, name="plan_agree"),
    path("qualifications/candidacies/<int:pk>/completion/", mentors.completion, name="completion"),
]

# Staff development officers (views/funding.py).
urlpatterns += [
    path("qualifications/funding/", funding.queue, name="funding_queue"),
    path("qualifications/funding/report/", funding.report, name="funding_report"),
    path("qualifications/funding/<int:pk>/", funding.detail, name="funding_detail"),
    path("qualifications/funding/<int:pk>/record.pdf", funding.record_pdf, name="funding_record"),
]
