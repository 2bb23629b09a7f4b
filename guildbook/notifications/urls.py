from django.urls import path

from guildbook.notifications import views

app_name = "notifications"

urlpatterns = [
    path("me/messages/", views.messages_sent, name="sent"),
]
