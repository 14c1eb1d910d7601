from django.urls import path

from . import calendar_views, views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("audit/", views.AuditTrailView.as_view(), name="audit"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        views.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        views.NotificationReadAllView.as_view(),
        name="notifications-read-all",
    ),
    # Working-day calendar (SPEC §9): public year view and calculator, administrators edit.
    path("calendar/", calendar_views.CalendarTodayView.as_view(), name="calendar"),
    path(
        "calendar/deadline/",
        calendar_views.DeadlineCalculatorView.as_view(),
        name="calendar-deadline",
    ),
    path("calendar/<int:year>/", calendar_views.CalendarYearView.as_view(), name="calendar-year"),
    path(
        "calendar/<int:year>/schedule/",
        calendar_views.CalendarScheduleView.as_view(),
        name="calendar-schedule",
    ),
    path(
        "calendar/<int:year>/confirm/",
        calendar_views.CalendarConfirmView.as_view(),
        name="calendar-confirm",
    ),
    path("calendar/day/<key:day>/", calendar_views.CalendarDayView.as_view(), name="calendar-day"),
]
