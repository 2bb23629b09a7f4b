from django.urls import path

from guildbook.accounts import views, views_privacy

app_name = "accounts"

urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/data/", views_privacy.your_data, name="your_data"),
    path("me/data.zip", views_privacy.your_data_download, name="your_data_download"),
    path("people/<int:pk>/data.zip", views_privacy.subject_access_export, name="subject_access"),
    path("people/<int:pk>/erase/", views_privacy.erase, name="erase"),
]
