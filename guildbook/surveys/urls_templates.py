"""Trainers: building survey templates (views_templates.py). Included by surveys/urls.py."""

from django.urls import path

from guildbook.surveys import views_templates as v

urlpatterns = [
    path("manage/surveys/templates/", v.template_list, name="manage_templates"),
    path("manage/surveys/templates/new/", v.template_create, name="manage_template_create"),
    path("manage/surveys/templates/<uuid:family>/", v.template_edit, name="manage_template"),
    path(
        "manage/surveys/templates/<uuid:family>/preview/",
        v.template_preview,
        name="manage_template_preview",
    ),
    path(
        "manage/surveys/templates/<uuid:family>/copy/",
        v.template_duplicate,
        name="manage_template_duplicate",
    ),
    path(
        "manage/surveys/templates/<uuid:family>/archive/",
        v.template_archive,
        name="manage_template_archive",
    ),
    path(
        "manage/surveys/templates/<uuid:family>/restore/",
        v.template_restore,
        name="manage_template_restore",
    ),
    path(
        "manage/surveys/templates/<uuid:family>/questions/new/<str:kind>/",
        v.question_add,
        name="manage_question_add",
    ),
    path("manage/surveys/questions/<int:pk>/", v.question_edit, name="manage_question_edit"),
    path("manage/surveys/questions/<int:pk>/move/", v.question_move, name="manage_question_move"),
    path(
        "manage/surveys/questions/<int:pk>/impact/",
        v.question_impact,
        name="manage_question_impact",
    ),
    path(
        "manage/surveys/questions/<int:pk>/remove/",
        v.question_remove,
        name="manage_question_remove",
    ),
    path("manage/surveys/questions/<int:pk>/answers/", v.choice_add, name="manage_choice_add"),
    path("manage/surveys/answers/<int:pk>/", v.choice_change, name="manage_choice"),
]
