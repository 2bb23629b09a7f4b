from django.urls import path

from guildbook.training.views import alerts, calendar, history, manage, outreach, public, record

app_name = "training"

urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("courses/<slug:slug>/", public.course_detail, name="course"),
    path("sessions/<int:pk>/", public.session_detail, name="session"),
    path("materials/<int:pk>/", public.material_download, name="material"),
    path("sessions/<int:pk>/book/", public.session_book, name="session_book"),
    path("me/bookings/", public.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", public.booking_detail, name="booking"),
    path("bookings/<int:pk>/cancel/", public.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/claim/", public.booking_claim, name="booking_claim"),
    # Links in reminders (links.py): a signed token instead of signing in.
    path(
        "booking-link/<str:token>/coming/", public.booking_link_coming, name="booking_link_coming"
    ),
    path(
        "booking-link/<str:token>/release/",
        public.booking_link_release,
        name="booking_link_release",
    ),
    # Links in offers (offer mode): claim the place, or pass it on.
    path("booking-link/<str:token>/claim/", public.booking_link_claim, name="booking_link_claim"),
    path(
        "booking-link/<str:token>/decline/",
        public.booking_link_decline,
        name="booking_link_decline",
    ),
]

urlpatterns += [
    path("sessions/<int:pk>/alert/", alerts.alert_create, name="alert_create"),
    path("alerts/<int:pk>/remove/", alerts.alert_remove, name="alert_remove"),
    path("courses/<slug:slug>/interest/", alerts.interest_register, name="interest_register"),
    path("courses/<slug:slug>/interest/stop/", alerts.interest_stop, name="interest_stop"),
    # Calendars (views/calendar.py): a place to download, the private feed and its page.
    path("bookings/<int:pk>/calendar.ics", calendar.booking_ics, name="booking_ics"),
    path("me/calendar/", calendar.my_calendar, name="my_calendar"),
    path("me/calendar/renew/", calendar.my_calendar_renew, name="my_calendar_renew"),
    path("me/calendar/stop/", calendar.my_calendar_revoke, name="my_calendar_revoke"),
    path("calendar/<str:key>.ics", calendar.calendar_feed, name="calendar_feed"),
    path(
        "calendar/<str:key>/courses/<slug:slug>.ics",
        calendar.course_feed,
        name="course_feed",
    ),
]

urlpatterns += [
    path("me/record/", record.my_record, name="my_record"),
    path("me/record.csv", record.my_record, {"fmt": "csv"}, name="my_record_csv"),
    path("me/record.pdf", record.my_record, {"fmt": "pdf"}, name="my_record_pdf"),
    path("people/", record.people, name="people"),
    path("people/<int:pk>/record/", record.person_record, name="person_record"),
    path(
        "people/<int:pk>/record.csv",
        record.person_record,
        {"fmt": "csv"},
        name="person_record_csv",
    ),
    path(
        "people/<int:pk>/record.pdf",
        record.person_record,
        {"fmt": "pdf"},
        name="person_record_pdf",
    ),
    path("manage/", manage.manage, name="manage"),
]

# Trainers: courses, scheduling, bookings and the register (views/manage/).
m = manage
urlpatterns += [
    path("manage/courses/new/", m.course_create, name="manage_course_create"),
    path("manage/courses/<slug:slug>/", m.course, name="manage_course"),
    path("manage/courses/<slug:slug>/edit/", m.course_edit, name="manage_course_edit"),
    path(
        "manage/courses/<slug:slug>/interest.csv",
        m.course_interest_csv,
        name="manage_course_interest_csv",
    ),
    path(
        "manage/courses/<slug:slug>/invitation/",
        m.course_invitation_renew,
        name="manage_course_invitation",
    ),
    path(
        "manage/courses/<slug:slug>/sessions/new/", m.session_create, name="manage_session_create"
    ),
    path("manage/courses/<slug:slug>/series/new/", m.series_create, name="manage_series_create"),
    path("manage/sessions/<int:pk>/", m.session, name="manage_session"),
    path("manage/sessions/<int:pk>/edit/", m.session_edit, name="manage_session_edit"),
    path(
        "manage/sessions/<int:pk>/reschedule/",
        m.session_reschedule,
        name="manage_session_reschedule",
    ),
    path("manage/sessions/<int:pk>/cancel/", m.session_cancel, name="manage_session_cancel"),
    path("manage/sessions/<int:pk>/open/", m.session_open, name="manage_session_open"),
    path("manage/sessions/<int:pk>/capacity/", m.session_capacity, name="manage_session_capacity"),
    path("manage/sessions/<int:pk>/add/", m.booking_add, name="manage_booking_add"),
    path("manage/sessions/<int:pk>/message/", m.session_message, name="manage_session_message"),
    path("manage/sessions/<int:pk>/bookings.csv", m.session_csv, name="manage_session_csv"),
    path("manage/sessions/<int:pk>/register/", m.register, name="manage_register"),
    path(
        "manage/sessions/<int:pk>/register/all/",
        m.register_mark_all,
        name="manage_register_all",
    ),
    path(
        "manage/sessions/<int:pk>/sign-in-sheet/",
        m.sign_in_sheet,
        name="manage_sign_in_sheet",
    ),
    path("manage/bookings/<int:pk>/move/", m.booking_move, name="manage_booking_move"),
    path("manage/bookings/<int:pk>/remove/", m.booking_remove, name="manage_booking_remove"),
    path("manage/bookings/<int:pk>/restore/", m.booking_restore, name="manage_booking_restore"),
    path("manage/bookings/<int:pk>/attendance/", m.attendance, name="manage_attendance"),
]


# Administrators: upload past sessions and bookings (views/history.py).
urlpatterns += [
    path("manage/import-history/", history.import_history, name="import_history"),
]

# The outreach log: trainers and staff development officers (views/outreach.py).

urlpatterns += [
    path("manage/outreach/", outreach.outreach_list, name="outreach"),
    path("manage/outreach/new/", outreach.outreach_create, name="outreach_create"),
    path("manage/outreach/<int:pk>/", outreach.outreach_entry, name="outreach_entry"),
    path("manage/outreach/<int:pk>/edit/", outreach.outreach_edit, name="outreach_edit"),
    path("manage/outreach/<int:pk>/delete/", outreach.outreach_delete, name="outreach_delete"),
    path(
        "manage/outreach/<int:pk>/follow-ups/",
        outreach.outreach_follow_up_add,
        name="outreach_follow_up_add",
    ),
    path(
        "manage/outreach/follow-ups/<int:pk>/",
        outreach.outreach_follow_up,
        name="outreach_follow_up",
    ),
    path(
        "manage/outreach/<int:pk>/session/",
        outreach.outreach_session_create,
        name="outreach_session_create",
    ),
]
