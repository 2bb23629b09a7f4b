from django.urls import path

from guildbook.accounts.views import directory, privacy, profile

app_name = "accounts"

urlpatterns = [
    path("me/", profile.profile, name="profile"),
    path("me/tokens/", profile.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", profile.token_revoke, name="token_revoke"),
    path("me/data/", privacy.your_data, name="your_data"),
    path("me/data.zip", privacy.your_data_download, name="your_data_download"),
    path("people/<int:pk>/data.zip", privacy.subject_access_export, name="subject_access"),
    path("people/<int:pk>/erase/", privacy.erase, name="erase"),
    path("manage/directory/", directory.directory, name="directory"),
]
