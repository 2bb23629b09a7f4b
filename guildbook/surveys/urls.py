from django.urls import path

from guildbook.surveys.views import moments, public, results, templates

app_name = "surveys"

# Links from e-mails: a signed token instead of signing in (tokens.py). A GET never records.
urlpatterns = [
    path("surveys/answer/<str:token>/", public.answer, name="answer"),
    path("surveys/done/<str:token>/", public.external_done, name="external_done"),
]

# Trainers: a course's survey moments (moments.py).
urlpatterns += [
    path("manage/courses/<slug:slug>/surveys/", moments.moment_list, name="manage_moments"),
    path(
        "manage/courses/<slug:slug>/surveys/new/",
        moments.moment_create,
        name="manage_moment_create",
    ),
    path(
        "manage/courses/<slug:slug>/surveys/<int:pk>/",
        moments.moment_edit,
        name="manage_moment_edit",
    ),
    path(
        "manage/courses/<slug:slug>/surveys/<int:pk>/remove/",
        moments.moment_remove,
        name="manage_moment_remove",
    ),
]

# Trainers: survey results and downloads (views/results.py).
urlpatterns += [
    path("manage/survey-results/", results.overview, name="results"),
    path(
        "manage/courses/<slug:slug>/survey-results/", results.course_results, name="results_course"
    ),
    path(
        "manage/sessions/<int:pk>/survey-results/", results.session_results, name="results_session"
    ),
]
for fmt in ("csv", "xlsx"):
    urlpatterns += [
        path(
            f"manage/courses/<slug:slug>/survey-results.{fmt}",
            results.course_download,
            {"fmt": fmt},
            name=f"results_course_{fmt}",
        ),
        path(
            f"manage/sessions/<int:pk>/survey-results.{fmt}",
            results.session_download,
            {"fmt": fmt},
            name=f"results_session_{fmt}",
        ),
    ]

# Trainers: building survey templates (views/templates.py).
urlpatterns += [
    path("manage/surveys/templates/", templates.template_list, name="manage_templates"),
    path("manage/surveys/templates/new/", templates.template_create, name="manage_template_create"),
    path(
        "manage/surveys/templates/<uuid:family>/", templates.template_edit, name="manage_template"
    ),
    path(
        "manage/surveys/templates/<uuid:family>/preview/",
        templates.template_preview,
        name="manage_template_preview",
    ),
    path(
        "manage/surveys/templates/<uuid:family>/copy/",
        templates.template_duplicate,
        name="manage_template_duplicate",
    ),
    path(
        "manage/surveys/templates/<uuid:family>/archive/",
        templates.template_archive,
        name="manage_template_archive",
    ),
    path(
        "manage/surveys/templates/<uuid:family>/restore/",
        templates.template_restore,
        name="manage_template_restore",
    ),
    path(
        "manage/surveys/templates/<uuid:family>/questions/new/<str:kind>/",
        templates.question_add,
        name="manage_question_add",
    ),
    path(
        "manage/surveys/questions/<int:pk>/", templates.question_edit, name="manage_question_edit"
    ),
    path(
        "manage/surveys/questions/<int:pk>/move/",
        templates.question_move,
        name="manage_question_move",
    ),
    path(
        "manage/surveys/questions/<int:pk>/impact/",
        templates.question_impact,
        name="manage_question_impact",
    ),
    path(
        "manage/surveys/questions/<int:pk>/remove/",
        templates.question_remove,
        name="manage_question_remove",
    ),
    path(
        "manage/surveys/questions/<int:pk>/answers/", templates.choice_add, name="manage_choice_add"
    ),
    path("manage/surveys/answers/<int:pk>/", templates.choice_change, name="manage_choice"),
]
