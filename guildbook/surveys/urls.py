from django.urls import path

from guildbook.surveys import views

app_name = "surveys"

# Links from e-mails: a signed token instead of signing in (tokens.py). A GET never records.
urlpatterns = [
    path("surveys/answer/<str:token>/", views.answer, name="answer"),
    path("surveys/done/<str:token>/", views.external_done, name="external_done"),
]

from guildbook.surveys import views_moments  # noqa: E402

# Trainers: a course's survey moments (views_moments.py).
urlpatterns += [
    path("manage/courses/<slug:slug>/surveys/", views_moments.moment_list, name="manage_moments"),
    path(
        "manage/courses/<slug:slug>/surveys/new/",
        views_moments.moment_create,
        name="manage_moment_create",
    ),
    path(
        "manage/courses/<slug:slug>/surveys/<int:pk>/",
        views_moments.moment_edit,
        name="manage_moment_edit",
    ),
    path(
        "manage/courses/<slug:slug>/surveys/<int:pk>/remove/",
        views_moments.moment_remove,
        name="manage_moment_remove",
    ),
]

from guildbook.surveys import urls_results  # noqa: E402

# Trainers: survey results and downloads (views_results.py).
urlpatterns += urls_results.urlpatterns

from guildbook.surveys import urls_templates  # noqa: E402

# Trainers: building survey templates (views_templates.py).
urlpatterns += urls_templates.urlpatterns
