from django.urls import path

from guildbook.notifications import mailbox_views, views

app_name = "notifications"

urlpatterns = [
    path("me/messages/", views.messages_sent, name="sent"),
    path("dev/mail/", mailbox_views.mailbox, name="dev_mailbox"),
    path("dev/mail/<str:name>/", mailbox_views.mailbox_message, name="dev_mailbox_message"),
    path("dev/mail/<str:name>/html/", mailbox_views.mailbox_html, name="dev_mailbox_html"),
    path(
        "dev/mail/<str:name>/attachments/<int:number>/",
        mailbox_views.mailbox_attachment,
        name="dev_mailbox_attachment",
    ),
]
