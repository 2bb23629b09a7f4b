from django.urls import path

from guildbook.insights import views

app_name = "insights"

urlpatterns = [
    path("manage/insights/", views.dashboard, name="dashboard"),
    path("manage/insights.csv", views.dashboard_download, {"fmt": "csv"}, name="dashboard_csv"),
    path("manage/insights.xlsx", views.dashboard_download, {"fmt": "xlsx"}, name="dashboard_xlsx"),
    path("manage/courses/<slug:slug>/planner/", views.planner, name="planner"),
]
