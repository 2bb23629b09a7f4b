"""Trainers' survey results pages and downloads (views_results.py), in the surveys namespace."""

from django.urls import path

from guildbook.surveys import views_results as r

urlpatterns = [
    path("manage/survey-results/", r.overview, name="results"),
    path("manage/courses/<slug:slug>/survey-results/", r.course_results, name="results_course"),
    path("manage/sessions/<int:pk>/survey-results/", r.session_results, name="results_session"),
]
for fmt in ("csv", "xlsx"):
    urlpatterns += [
        path(
            f"manage/courses/<slug:slug>/survey-results.{fmt}",
            r.course_download,
            {"fmt": fmt},
            name=f"results_course_{fmt}",
        ),
        path(
            f"manage/sessions/<int:pk>/survey-results.{fmt}",
            r.session_download,
            {"fmt": fmt},
            name=f"results_session_{fmt}",
        ),
    ]
