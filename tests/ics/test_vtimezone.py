"""The VTIMEZONE of every calendar file, evaluated on its own (RFC 5545 §3.6.5), against zoneinfo.

The evaluator below reads only the component: each observance's onsets (DTSTART, its RRULE
expanded with dateutil, its RDATEs) are local times before the change, so the instant of an onset
is the local time minus TZOFFSETFROM, and the offset at any instant is the TZOFFSETTO of the
latest onset at or before it.
"""

from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from eventsvc import ics

ZONES = [
    "Europe/Paris",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Africa/Nairobi",
    "Europe/London",
]
FIRST_YEAR, LAST_YEAR = 2020, 2040
HORIZON = datetime(LAST_YEAR + 2, 1, 1)


class VtimezoneClock:
    """UTC offsets as a VTIMEZONE component says them, without the tz database."""

    def __init__(self, component):
        onsets = []
        for observance in component.standard + component.daylight:
            start = observance["DTSTART"].dt
            before = observance["TZOFFSETFROM"].td
            after = observance["TZOFFSETTO"].td
            local = [start]
            if "RRULE" in observance:
                rule = observance["RRULE"].to_ical().decode()
                local = list(rrulestr(rule, dtstart=start).between(start, HORIZON, inc=True))
            rdates = observance.get("RDATE", [])
            for listed in rdates if isinstance(rdates, list) else [rdates]:
                local += [value.dt for value in listed.dts]
            onsets += [(moment - before, after) for moment in local]
        onsets.sort()
        self.instants = [instant for instant, _offset in onsets]
        self.offsets = [offset for _instant, offset in onsets]

    def offset_at(self, instant: datetime) -> timedelta:
        index = bisect_right(self.instants, instant.astimezone(UTC).replace(tzinfo=None)) - 1
        assert index >= 0, f"{instant} is before the VTIMEZONE's first onset"
        return self.offsets[index]


def changes_by_zoneinfo(zone: str) -> list[datetime]:
    """Every UTC instant (to the minute) at which ``zone``'s offset changes, 2020-2040."""
    tz = ZoneInfo(zone)
    day = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    end = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
    found = []
    while day < end:
        later = day + timedelta(days=1)
        if day.astimezone(tz).utcoffset() != later.astimezone(tz).utcoffset():
            low, high = day, later
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                same = middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset()
                low, high = (middle, high) if same else (low, middle)
            found.append(high.replace(second=0, microsecond=0))
        day = later
    return found


def written_and_read_back(zone: str, first_year: int):
    """The zone's VTIMEZONE as it leaves the system, parsed again."""
    calendar = Calendar()
    calendar.add_component(ics.vtimezone(zone, first_year))
    (component,) = Calendar.from_ical(calendar.to_ical()).timezones
    return component


@pytest.mark.parametrize("zone", ZONES)
def test_vtimezone_gives_zoneinfo_offsets_around_every_change_2020_to_2040(zone):
    evaluated = VtimezoneClock(written_and_read_back(zone, FIRST_YEAR))
    tz = ZoneInfo(zone)
    changes = changes_by_zoneinfo(zone) or [datetime(2030, 6, 1, tzinfo=UTC)]
    wrong = []
    for change in changes:
        for minute in range(-120, 121):
            instant = change + timedelta(minutes=minute)
            if evaluated.offset_at(instant) != instant.astimezone(tz).utcoffset():
                wrong.append(instant.isoformat())
    assert wrong == []


@pytest.mark.parametrize(
    ("zone", "changes_per_year"),
    [("Europe/Paris", 2), ("America/New_York", 2), ("Australia/Lord_Howe", 2)],
)
def test_zone_with_a_yearly_rule_has_one_recurring_observance_per_change(zone, changes_per_year):
    component = written_and_read_back(zone, 2027)
    observances = component.standard + component.daylight
    assert len(observances) == changes_per_year
    assert all(observance["RRULE"]["FREQ"] == ["YEARLY"] for observance in observances)
    assert len(changes_by_zoneinfo(zone)) == changes_per_year * (LAST_YEAR - FIRST_YEAR + 1)


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Africa/Nairobi"])
def test_zone_without_daylight_saving_has_one_observance(zone):
    component = written_and_read_back(zone, 2027)
    (observance,) = component.standard + component.daylight
    assert observance["TZOFFSETTO"].td == ZoneInfo(zone).utcoffset(datetime(2027, 1, 1))
    assert "RRULE" not in observance


def test_spring_onset_is_the_local_time_before_the_change():
    """RFC 5545: DTSTART of DAYLIGHT is 02:00 in Paris (01:00 UTC), not 03:00."""
    component = written_and_read_back("Europe/Paris", 2027)
    (daylight,) = component.daylight
    (standard,) = component.standard
    assert daylight["DTSTART"].dt.time().isoformat() == "02:00:00"
    assert daylight["RRULE"]["BYMONTH"] == [3] and daylight["RRULE"]["BYDAY"] == ["-1SU"]
    assert standard["DTSTART"].dt.time().isoformat() == "03:00:00"
    assert standard["RRULE"]["BYMONTH"] == [10] and standard["RRULE"]["BYDAY"] == ["-1SU"]


def test_every_event_of_a_zone_carries_the_same_vtimezone(make_event, make_registration):
    """Servers keep the first VTIMEZONE they see for a TZID: it must fit every later year."""
    files = [
        ics.invite(
            make_registration(make_event(start=f"{year}-06-18T10:00", end=f"{year}-06-18T11:00"))
        )
        for year in (2027, 2031, 2039)
    ]
    components = [Calendar.from_ical(data).timezones[0].to_ical() for data in files]
    assert components[0] == components[1] == components[2]
    assert b"COMMENT" not in components[0]


def test_event_before_the_current_rule_gets_the_changes_of_its_years():
    """New York's current rule dates from 2007: an event in 2005 needs the older changes too."""
    evaluated = VtimezoneClock(written_and_read_back("America/New_York", 2005))
    tz = ZoneInfo("America/New_York")
    for instant in (
        datetime(2005, 4, 3, 7, 0, tzinfo=UTC),  # 2005's spring change (first Sunday of April)
        datetime(2005, 10, 30, 6, 0, tzinfo=UTC),
        datetime(2006, 3, 12, 8, 0, tzinfo=UTC),  # what the 2007 rule would say, wrongly
    ):
        for minute in (-1, 0, 1):
            moment = instant + timedelta(minutes=minute)
            assert evaluated.offset_at(moment) == moment.astimezone(tz).utcoffset()


def test_vtimezone_is_built_once_per_zone(make_event, make_registration):
    ics._vtimezone.cache_clear()
    for year in (2027, 2028, 2033):
        ics.invite(
            make_registration(make_event(start=f"{year}-12-06T13:30", end=f"{year}-12-06T14:30"))
        )
    assert ics._vtimezone.cache_info().misses == 1


def recurring_rules(component) -> set[tuple]:
    """The open-ended observances, as what they say: change time, offsets, month and day."""
    return {
        (
            observance.name,
            observance["DTSTART"].dt.time(),
            observance["TZOFFSETFROM"].td,
            observance["TZOFFSETTO"].td,
            tuple(observance["RRULE"]["BYMONTH"]),
            tuple(observance["RRULE"]["BYDAY"]),
        )
        for observance in component.standard + component.daylight
        if "RRULE" in observance and "UNTIL" not in observance["RRULE"]
    }


@pytest.mark.parametrize(
    # Not Santiago: the independent set writes its "Sunday on or after the 2nd" as 1SU (wrong in
    # years whose month starts on a Sunday); ours is checked against zoneinfo above.
    "zone",
    ["Europe/Paris", "America/New_York", "Europe/London", "Australia/Lord_Howe"],
)
def test_yearly_rules_match_an_independent_iana_derived_vtimezone(zone):
    from ics_vtimezones import find_vtimezone_ics_file

    (reference,) = Calendar.from_ical(find_vtimezone_ics_file(zone).read_bytes()).timezones
    ours = written_and_read_back(zone, 2027)
    assert recurring_rules(ours) == recurring_rules(reference)
    assert len(recurring_rules(ours)) == 2


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Africa/Nairobi"])
def test_fixed_offset_matches_an_independent_iana_derived_vtimezone(zone):
    from ics_vtimezones import find_vtimezone_ics_file

    (reference,) = Calendar.from_ical(find_vtimezone_ics_file(zone).read_bytes()).timezones
    (ours,) = written_and_read_back(zone, 2027).standard
    assert ours["TZOFFSETTO"].td == reference.standard[-1]["TZOFFSETTO"].td
