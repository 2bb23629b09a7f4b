from django.urls import path

from guildbook.training import views

app_name = "training"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/book/", views.session_book, name="session_book"),
    path("me/bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
]

from guildbook.training import views_manage, views_record  # noqa: E402

urlpatterns += [
    path("me/record/", views_record.my_record, name="my_record"),
    path("people/", views_record.people, name="people"),
    path("people/<int:pk>/record/", views_record.person_record, name="person_record"),
    path("manage/", views_manage.manage, name="manage"),
]
