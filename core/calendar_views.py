"""Pages of the working-day calendar (SPEC §9): the year view everyone may read, the editing
pages of administrators, and the public deadline calculator."""

import calendar as month_tables
import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from . import calendar, services
from .calendar_forms import CalendarDayForm, CalendarScheduleForm, DeadlineForm
from .choices import DayKind, DeadlineUnit, SkipReason
from .models import CalendarDay, CalendarRevision, CalendarYear
from .permissions import Action, can
from .views import PermissionRequiredMixin

# Column heads of the month grids, Monday first: (short, full).
WEEKDAY_COLUMNS = [
    (pgettext_lazy("calendar column, Monday", "Mo"), gettext_lazy("Monday")),
    (pgettext_lazy("calendar column, Tuesday", "Tu"), gettext_lazy("Tuesday")),
    (pgettext_lazy("calendar column, Wednesday", "We"), gettext_lazy("Wednesday")),
    (pgettext_lazy("calendar column, Thursday", "Th"), gettext_lazy("Thursday")),
    (pgettext_lazy("calendar column, Friday", "Fr"), gettext_lazy("Friday")),
    (pgettext_lazy("calendar column, Saturday", "Sa"), gettext_lazy("Saturday")),
    (pgettext_lazy("calendar column, Sunday", "Su"), gettext_lazy("Sunday")),
]


def _today() -> datetime.date:
    return timezone.localdate(timezone=calendar.SHANGHAI)


def _year_or_404(year: int) -> int:
    if not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
        raise Http404
    return year


@dataclass(frozen=True)
class HolidaySpan:
    """Consecutive days off with the same name, for the year's list."""

    first: datetime.date
    last: datetime.date
    name: str
    statutory: bool

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _holiday_spans(statuses: list[calendar.DayStatus]) -> list[HolidaySpan]:
    spans: list[HolidaySpan] = []
    for status in statuses:
        if status.working or status.reason == SkipReason.WEEKEND:
            continue
        statutory = status.reason == SkipReason.STATUTORY_HOLIDAY
        previous = spans[-1] if spans else None
        if (
            previous is not None
            and previous.name == status.name
            and previous.statutory == statutory
            and previous.last + calendar.ONE_DAY == status.date
        ):
            spans[-1] = HolidaySpan(previous.first, status.date, status.name, statutory)
        else:
            spans.append(HolidaySpan(status.date, status.date, status.name, statutory))
    return spans


def _schedule_text(year: int) -> tuple[str, str]:
    """The year's stored holidays and make-up days in the schedule form's line format; for a
    year with nothing stored, the statutory holidays as a starting point."""
    window = calendar.CalendarWindow(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    statuses = [window.status(day) for day in _days_of(year)]
    spans = _holiday_spans(statuses)
    holidays = "\n".join(
        f"{span.name} {span.first.isoformat()}"
        + (f" {span.last.isoformat()}" if span.last != span.first else "")
        for span in spans
    )
    workdays = "\n".join(
        f"{status.date.isoformat()} {status.name}".strip()
        for status in statuses
        if status.working and status.kind == DayKind.WORKDAY
    )
    return holidays, workdays


def _days_of(year: int):
    day = datetime.date(year, 1, 1)
    while day.year == year:
        yield day
        day += calendar.ONE_DAY


class CalendarTodayView(View):
    def get(self, request):
        return redirect("core:calendar-year", year=_today().year)


class CalendarYearView(PermissionRequiredMixin, TemplateView):
    """A year as twelve month grids: weekends, holidays with names, make-up working days, and
    the days an unconfirmed year takes from the statutory rule. Public; administrators click
    a day to change it."""

    required_model = CalendarDay
    template_name = "core/calendar_year.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year_or_404(kwargs["year"])
        user = self.request.user
        window = calendar.CalendarWindow(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        statuses = {day: window.status(day) for day in _days_of(year)}
        today = _today()
        tables = month_tables.Calendar(firstweekday=0)
        months = []
        for month in range(1, 13):
            weeks = [
                [statuses[day] if day.month == month else None for day in week]
                for week in tables.monthdatescalendar(year, month)
            ]
            months.append({"number": month, "first": datetime.date(year, month, 1), "weeks": weeks})
        year_row = CalendarYear.objects.filter(year=year).select_related("confirmed_by").first()
        ordered = list(statuses.values())
        context.update(
            year=year,
            months=months,
            weekdays=WEEKDAY_COLUMNS,
            today=today,
            year_row=year_row,
            confirmed=bool(year_row and year_row.confirmed),
            spans=_holiday_spans(ordered),
            made_up=[s for s in ordered if s.working and s.kind == DayKind.WORKDAY],
            working_total=sum(1 for s in ordered if s.working),
            may_edit=can(user, Action.CHANGE, CalendarDay),
            may_confirm=can(user, Action.CHANGE, CalendarYear),
            previous_year=year - 1 if year > calendar.FIRST_YEAR else None,
            next_year=year + 1 if year < calendar.LAST_YEAR else None,
            revisions=list(
                CalendarRevision.objects.restrict(user, Action.VIEW)
                .filter(first_date__lte=datetime.date(year, 12, 31))
                .filter(last_date__gte=datetime.date(year, 1, 1))
                .select_related("actor")[:10]
            )
            if can(user, Action.VIEW, CalendarRevision)
            else [],
        )
        return context


class CalendarDayView(PermissionRequiredMixin, FormView):
    """An administrator sets one day: holiday (with name), make-up working day or ordinary."""

    required_action = Action.CHANGE
    required_model = CalendarDay
    form_class = CalendarDayForm
    template_name = "core/calendar_day.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        try:
            self.day = datetime.date.fromisoformat(kwargs["day"])
        except ValueError as error:
            raise Http404 from error
        _year_or_404(self.day.year)

    def get_initial(self):
        row = CalendarDay.objects.filter(date=self.day).first()
        status = calendar.CalendarWindow(self.day, self.day).status(self.day)
        if row is not None:
            return {"kind": row.kind, "name": row.name}
        if status.rule_holiday:
            return {"kind": DayKind.HOLIDAY, "name": status.name}
        return {"kind": DayKind.ORDINARY}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["day"] = self.day
        context["status"] = calendar.CalendarWindow(self.day, self.day).status(self.day)
        context["row"] = CalendarDay.objects.filter(date=self.day).first()
        context["back"] = self._year_url()
        return context

    def _year_url(self) -> str:
        return reverse("core:calendar-year", args=[self.day.year]) + f"#m{self.day.month}"

    def form_valid(self, form):
        try:
            revision = services.calendar_day_set(
                actor=self.request.user,
                date=self.day,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
            )
        except services.DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        if revision is None:
            messages.info(self.request, _("Nothing changed."))
        else:
            messages.success(
                self.request,
                _("Saved. Open deadlines depending on %(date)s are being recomputed.")
                % {"date": self.day.isoformat()},
            )
        return redirect(self._year_url())


class CalendarScheduleView(PermissionRequiredMixin, FormView):
    """An administrator enters a year's published schedule at once."""

    required_action = Action.CHANGE
    required_model = CalendarDay
    form_class = CalendarScheduleForm
    template_name = "core/calendar_schedule.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.year = _year_or_404(kwargs["year"])

    def get_initial(self):
        holidays, workdays = _schedule_text(self.year)
        confirmed = CalendarYear.objects.filter(year=self.year, confirmed=True).exists()
        return {"holidays": holidays, "workdays": workdays, "confirm": not confirmed}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["year"] = self.year
        context["stored"] = CalendarDay.objects.filter(date__year=self.year).exists()
        context["statutory"] = sorted(calendar.statutory_holidays(self.year).items())
        return context

    def form_valid(self, form):
        holidays = form.cleaned_data["holidays"]
        confirm = form.cleaned_data["confirm"]
        try:
            services.calendar_schedule_enter(
                actor=self.request.user,
                year=self.year,
                holidays=holidays,
                workdays=form.cleaned_data["workdays"],
                confirm=confirm,
            )
        except services.ScheduleError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        except services.DomainError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        saved = (
            _("The schedule of %(year)s is saved and confirmed.")
            if confirm
            else _("The schedule of %(year)s is saved; the year is not confirmed yet.")
        )
        messages.success(self.request, saved % {"year": self.year})
        entered = set()
        for holiday in holidays:
            day = holiday.first
            while day <= holiday.last:
                entered.add(day)
                day += calendar.ONE_DAY
        for day, name in calendar.statutory_holidays(self.year).items():
            if day not in entered:
                messages.warning(
                    self.request,
                    _(
                        "Check the dates: the statutory holiday %(name)s on %(date)s is not in "
                        "the schedule you entered."
                    )
                    % {"name": name, "date": day.isoformat()},
                )
        return redirect("core:calendar-year", year=self.year)


class CalendarConfirmView(PermissionRequiredMixin, View):
    required_action = Action.CHANGE
    required_model = CalendarYear

    def post(self, request, year: int):
        _year_or_404(year)
        try:
            services.calendar_year_confirm(actor=request.user, year=year)
        except services.DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The schedule of %(year)s is confirmed; open deadlines are being recomputed.")
                % {"year": year},
            )
        return redirect("core:calendar-year", year=year)


class DeadlineCalculatorView(PermissionRequiredMixin, TemplateView):
    """The public deadline calculator: the due moment and every skipped day with its reason.
    Every due moment shown in the product links here, prefilled (templatetags.deadlines)."""

    required_model = CalendarDay
    template_name = "core/calendar_deadline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "start" in self.request.GET or "days" in self.request.GET:
            query = self.request.GET.copy()
            # A link may leave the unit out: working days, as in the API.
            query.setdefault("unit", DeadlineUnit.WORKING_DAYS)
            form = DeadlineForm(query)
        else:
            form = DeadlineForm(initial={"unit": DeadlineUnit.WORKING_DAYS})
        context["form"] = form
        if form.is_bound and form.is_valid():
            context["deadline"] = calendar.add(
                form.cleaned_data["start"], form.cleaned_data["days"], form.cleaned_data["unit"]
            )
        return context
