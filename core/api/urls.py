from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path(
        "calendar/add-working-days/",
        views.CalendarAddApiView.as_view(),
        name="calendar-add-working-days",
    ),
]
