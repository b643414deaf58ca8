"""A tenant's working time: pure arithmetic over business hours (or 24/7), no database.

Every SLA figure (deadline, time spent, time left) comes from one ``WorkingTime`` so that it is
the same wherever it is shown (invariant 5). The conventions:

- **Whole minutes.** Every moment is truncated to its minute (seconds dropped) before it is
  counted: a ticket opened at 10:00:45 counts from 10:00. So ``minutes_between`` is exact and
  additive, and ``minutes_between(a, now) >= m`` holds exactly when ``now >= add(a, m)``:
  a target is missed at the same instant by every reader.
- **add** returns the earliest moment at which ``minutes`` working minutes have passed, a whole
  minute. When the last minute is the last one before a period ends (12:00 before lunch, 17:00
  in the evening), the result is that end, a moment that is itself closed; counting on from it
  resumes at the next opening, so ``add(add(a, m1), m2) == add(a, m1 + m2)`` for ``m2 > 0``.
  ``add(start, 0)`` is ``next_opening(start)`` (``start`` itself if open). Moments returned
  are in UTC, like ``timezone.now()``; show them with ``localtime``.
- **Business hours** are wall times in ``zone``, taken on each local date. A period opens the
  first time the clock shows its start that day and closes the first time it shows its end, so
  the minutes counted are real ones: a period across the hour skipped in spring is an hour
  shorter, one across the hour repeated in autumn an hour longer; a time inside the skipped
  hour is reached when the clocks jump (02:30 on the last Sunday of March means 03:00 EEST).
- **Days**: only days the national calendar works (``calendar.is_working_day``) and not closed
  by the tenant count, so hours a tenant gives for Saturday or Sunday are used only on a rest
  day the Government declares worked. If that weekday has no periods, Monday's apply: such a
  decision moves a weekday's work to the rest day, and the office then keeps its weekday
  hours, not the empty schedule of a day it never opens.
- **24/7** counts elapsed real time in UTC: no calendar, no closed days, DST changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.workdays.calendar import WorkCalendar

Period = tuple[time, time]
Weekly = Mapping[int, tuple[Period, ...]]
# Open spans of one local date as [begin, end) in minutes since the Unix epoch (UTC).
Spans = tuple[tuple[int, int], ...]

# A search for the next opening gives up after this many days without one (an empty week, or
# every day closed): a deadline a year away is a configuration error, not a term.
SEARCH_DAYS = 366

CHISINAU = ZoneInfo("Europe/Chisinau")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)


def validate_weekly(weekly: Mapping[int, Sequence[Period]]) -> None:
    """Refuse a weekly schedule that cannot be counted (code ``invalid_business_hours``).

    Weekdays are 0 (Monday) to 6 (Sunday); times are naive whole minutes; each period ends
    after it starts (a period cannot cross midnight); periods of one day do not overlap
    (they may touch).
    """
    for weekday, periods in weekly.items():
        if type(weekday) is not int or not 0 <= weekday <= 6:
            raise _invalid(_("Ziua săptămânii %(weekday)s nu există: se folosesc 0 (luni) "
                             "până la 6 (duminică).") % {"weekday": weekday}, weekday)
        day = WEEKDAYS[weekday]
        for start, end in periods:
            if not (_is_wall_minute(start) and _is_wall_minute(end)):
                raise _invalid(_("%(day)s: orele se indică în ore și minute.")
                               % {"day": day}, weekday)
            if end <= start:
                raise _invalid(_("%(day)s: intervalul %(period)s se termină înainte să "
                                 "înceapă.") % {"day": day, "period": _label((start, end))},
                               weekday)
        ordered = sorted(periods)
        for earlier, later in pairwise(ordered):
            if later[0] < earlier[1]:
                raise _invalid(_("%(day)s: intervalele %(first)s și %(second)s se suprapun.")
                               % {"day": day, "first": _label(earlier),
                                  "second": _label(later)}, weekday)


def _is_wall_minute(value: object) -> bool:
    return (isinstance(value, time) and value.tzinfo is None
            and value.second == 0 and value.microsecond == 0)


def _label(period: Period) -> str:
    return f"{period[0]:%H:%M}-{period[1]:%H:%M}"


def _invalid(message: str, weekday: object) -> InvalidInput:
    return InvalidInput(message, code="invalid_business_hours", details={"weekday": weekday})


def _moment(minute: int) -> datetime:
    """A result in UTC: a moment of the repeated autumn hour in a zone (``fold=1``) never
    equals the same moment in another zone (PEP 495), which would break comparisons."""
    return _EPOCH + minute * _MINUTE


def _minute(moment: datetime) -> int:
    """Minutes since the epoch, truncated; a naive moment has no place on the clock."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise TypeError("an aware datetime is expected")
    return (moment - _EPOCH) // _MINUTE


@dataclass(frozen=True, eq=False)
class WorkingTime:
    """One tenant's clock. Build it once per request or task and reuse it: the open spans of
    each date are computed once and kept on the instance (the inputs are frozen copies)."""

    calendar: WorkCalendar
    weekly: Weekly  # weekday 0=Monday..6 -> open periods; a gap between periods is a break
    local_closed: frozenset[date] = frozenset()  # the tenant's own non-working days
    always_open: bool = False  # 24/7: every minute counts, no calendar at all
    zone: ZoneInfo = CHISINAU
    _spans_by_date: dict[date, Spans] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        validate_weekly(self.weekly)
        if any(isinstance(day, datetime) for day in self.local_closed):
            # A datetime never equals a date: the closed day would be ignored silently.
            raise TypeError("local_closed holds dates, not datetimes")
        # Frozen copies: a caller changing its dict later must not disagree with the cache.
        object.__setattr__(self, "weekly", MappingProxyType(
            {weekday: tuple(sorted(periods)) for weekday, periods in self.weekly.items()}))
        object.__setattr__(self, "local_closed", frozenset(self.local_closed))

    def is_open(self, moment: datetime) -> bool:
        minute = _minute(moment)
        if self.always_open:
            return True
        return any(begin <= minute < end for begin, end in self._spans(self._local_date(minute)))

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself when open, else the start of the next open period."""
        minute = _minute(moment)
        if self.always_open:
            return moment
        begin, _end = next(self._spans_after(minute))
        return moment if begin == minute else _moment(begin)

    def add(self, start: datetime, minutes: int) -> datetime:
        """The earliest moment at which ``minutes`` working minutes have passed after
        ``start``; counting begins at ``start``'s minute, or at the next opening."""
        if minutes < 0:
            raise ValueError("a term cannot be negative")
        if minutes == 0:
            return self.next_opening(start)
        first = _minute(start)
        if self.always_open:
            return _moment(first + minutes)
        remaining = minutes
        spans = self._spans_after(first)
        while True:
            begin, end = next(spans)
            if end - begin >= remaining:
                return _moment(begin + remaining)
            remaining -= end - begin

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Working minutes in [start, end), both truncated to their minute; 0 if end <= start."""
        first, last = _minute(start), _minute(end)
        if last <= first:
            return 0
        if self.always_open:
            return last - first
        total = 0
        day, final = self._local_date(first), self._local_date(last)
        while day <= final:
            for begin, finish in self._spans(day):
                total += max(0, min(finish, last) - max(begin, first))
            day += _DAY
        return total

    # --- the spans -----------------------------------------------------------------------

    def _spans_after(self, minute: int) -> Iterator[tuple[int, int]]:
        """The open spans ending after ``minute``, in order, the first cut to start at it."""
        day = self._local_date(minute)
        idle_days = 0
        while True:
            found = False
            for begin, end in self._spans(day):
                if end > minute:
                    found = True
                    yield max(begin, minute), end
            idle_days = 0 if found else idle_days + 1
            if idle_days > SEARCH_DAYS:
                raise InvalidInput(_("Programul de lucru nu are nicio oră lucrătoare în "
                                     "următoarele %(days)d de zile.") % {"days": SEARCH_DAYS},
                                   code="no_working_time")
            day += _DAY

    def _spans(self, day: date) -> Spans:
        spans = self._spans_by_date.get(day)
        if spans is None:
            spans = self._spans_by_date[day] = self._compute_spans(day)
        return spans

    def _compute_spans(self, day: date) -> Spans:
        spans = ((self._first_reached(day, start), self._first_reached(day, end))
                 for start, end in self._periods(day))
        # A period wholly inside the hour skipped in spring never opens.
        return tuple((begin, end) for begin, end in spans if end > begin)

    def _periods(self, day: date) -> tuple[Period, ...]:
        if day in self.local_closed or not self.calendar.is_working_day(day):
            return ()
        periods = self.weekly.get(day.weekday(), ())
        if not periods and not self.calendar.is_regular_working_day(day):
            return self.weekly.get(0, ())  # a rest day declared worked: see the module
        return periods

    def _first_reached(self, day: date, wall: time) -> int:
        """The minute at which the clock first shows ``wall`` (or later) on ``day``."""
        local = datetime.combine(day, wall, tzinfo=self.zone)
        earliest, other = _minute(local), _minute(local.replace(fold=1))
        if other >= earliest:
            return earliest  # an ordinary time, or the first pass of the repeated hour
        # Skipped: fold=1 reads it with the new offset (before the jump), fold=0 with the old
        # one (after it). The clock reaches ``wall`` at the jump: find that minute.
        before, after = other, earliest
        offset = self._local(after).utcoffset()
        while after - before > 1:
            middle = (before + after) // 2
            if self._local(middle).utcoffset() == offset:
                after = middle
            else:
                before = middle
        return after

    def _local(self, minute: int) -> datetime:
        return _moment(minute).astimezone(self.zone)

    def _local_date(self, minute: int) -> date:
        """The date whose spans may hold ``minute``: spans of a date lie between the first
        times the clock shows its 00:00 and the next date's (clocks that go back do so within
        one date: 24:00 becomes 23:00, never the reverse)."""
        return self._local(minute).date()
