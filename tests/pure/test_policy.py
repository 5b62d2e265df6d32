"""Policy files: the shipped example, lead routing, and errors that name line and field."""

from __future__ import annotations

from datetime import date, timedelta
from importlib.resources import files

import pytest

from models.policy import Policy
from models.policy_file import PolicyError, format_path, parse_policy

# Line numbers matter in these tests; they are written next to the lines.
BASE = """\
version: 1
default_calendar: office
calendars:
  office:
    timezone: Europe/Paris
    hours:
      mon: ["09:00-17:00"]
segments:
  - name: all
    speed_to_lead:
      target: 1h
"""  # lines 1..11

DURATION_HINT = "use digits with d, h, m or s, e.g. '1h30m'"


def variant(old: str, new: str, text: str = BASE) -> str:
    assert old in text, f"test setup: {old!r} is not in the policy"
    return text.replace(old, new, 1)


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="p.yaml")
    return list(caught.value.problems)


@pytest.fixture(scope="module")
def example() -> Policy:
    return parse_policy(files("models").joinpath("example_policy.yaml").read_text(), "example_policy.yaml")


# --- the shipped example -------------------------------------------------------------------------


def test_base_policy_is_valid():
    policy = parse_policy(BASE)
    assert policy.segments[0].speed_to_lead.target == timedelta(hours=1)
    assert policy.calendars["office"].hours == {"mon": ("09:00-17:00",)}


def test_example_top_level_settings(example):
    assert example.version == 1
    assert example.allowed_lateness == timedelta(seconds=5)
    assert example.reassignment == "keep_clock"
    assert example.default_calendar == "us-east"
    assert {team: t.calendar for team, t in example.teams.items()} == {
        "inbound-east": "us-east", "inbound-west": "us-west", "emea": "emea", "enterprise": "us-east",
    }


def test_example_calendars(example):
    us_east, us_west, emea = (example.calendars[name] for name in ("us-east", "us-west", "emea"))
    assert (us_east.timezone, us_west.timezone, emea.timezone) == (
        "America/New_York", "America/Los_Angeles", "Europe/London")
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    assert us_east.hours == {day: ("09:00-17:00",) for day in weekdays}
    assert us_west.hours == {day: ("08:00-17:00",) for day in weekdays}
    assert emea.hours == {day: ("09:00-12:30", "13:30-17:30") for day in weekdays}
    us_holidays = (date(2026, 11, 26), date(2026, 12, 25), date(2027, 1, 1),
                   date(2027, 1, 18), date(2027, 5, 31), date(2027, 7, 5))
    assert us_east.holidays == us_west.holidays == us_holidays
    assert emea.holidays == (date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1),
                             date(2027, 4, 2), date(2027, 4, 5), date(2027, 5, 3))


def _row(segment):
    stl, follow = segment.speed_to_lead, segment.follow_up
    escalations = [(e.after, e.notify) for e in stl.escalations]
    return (segment.name, stl.target, stl.clock, stl.warn_before, escalations,
            follow.attempts, follow.within, segment.automated_touches_count)


def test_example_segments_in_priority_order(example):
    m, h, d = (lambda n: timedelta(minutes=n)), (lambda n: timedelta(hours=n)), (lambda n: timedelta(days=n))
    assert [_row(s) for s in example.segments] == [
        ("enterprise-demo", m(15), "business", m(5), [(m(15), "manager"), (h(1), "head_of_sales")], 8, d(10), False),
        ("enterprise", h(1), "business", m(15), [(m(30), "manager"), (h(2), "head_of_sales")], 8, d(10), False),
        ("mid-market", h(1), "business", m(15), [(m(30), "manager"), (h(4), "head_of_sales")], 6, d(10), False),
        ("smb", h(4), "business", h(1), [(h(2), "manager")], 6, d(10), False),
        ("sales-generated", h(8), "business", None, [], 3, d(5), False),
        ("default", h(8), "business", h(1), [(h(4), "manager")], 6, d(10), False),
    ]
    assert example.segments[0].match == {
        "source": "marketing", "segment": "enterprise", "offer": ["demo-request", "contact-sales"]}
    assert example.segments[-1].match == {}


def test_example_marketing_goals(example):
    assert [(g.segment, g.monthly_quota, g.marketing_share, g.average_deal_size, g.close_rate)
            for g in example.marketing_goals] == [
        ("enterprise", 2_000_000, 0.6, 50_000, 0.08),
        ("mid-market", 1_500_000, 0.5, 15_000, 0.10),
        ("smb", 600_000, 0.7, 3_000, 0.12),
    ]


# --- routing a lead to its rules -----------------------------------------------------------------


@pytest.mark.parametrize(("attributes", "expected"), [
    ({"source": "marketing", "segment": "enterprise", "offer": "demo-request"}, "enterprise-demo"),
    ({"source": "marketing", "segment": "enterprise", "offer": "contact-sales"}, "enterprise-demo"),
    ({"source": "marketing", "segment": "enterprise", "offer": "whitepaper"}, "enterprise"),
    ({"source": "marketing", "segment": "enterprise", "offer": None}, "enterprise"),
    ({"source": "marketing", "segment": "mid-market", "offer": "demo-request"}, "mid-market"),
    ({"source": "marketing", "segment": "smb"}, "smb"),
    ({"source": "sales", "segment": "enterprise", "offer": "demo-request"}, "sales-generated"),
    ({"source": "marketing", "segment": "startup"}, "default"),
    ({}, "default"),
])
def test_segment_for_takes_the_first_match(example, attributes, expected):
    assert example.segment_for(attributes).name == expected


def test_segment_for_without_a_catch_all_finds_nothing():
    policy = parse_policy(variant("  - name: all\n", "  - name: all\n    match: {source: sales}\n"))
    assert policy.segment_for({"source": "marketing"}) is None


def test_calendar_for_prefers_the_team_then_the_default(example):
    enterprise = example.segment_for({"source": "marketing", "segment": "enterprise"})
    assert example.calendar_for(enterprise, "inbound-west").timezone == "America/Los_Angeles"
    assert example.calendar_for(enterprise, "emea").timezone == "Europe/London"
    assert example.calendar_for(enterprise, None).timezone == "America/New_York"
    assert example.calendar_for(enterprise, "partners").timezone == "America/New_York"


def test_calendar_for_segment_calendar_is_between_team_and_default():
    tokyo = '  tokyo:\n    timezone: Asia/Tokyo\n    hours: {mon: ["09:00-18:00"]}\n'
    text = variant("segments:\n", tokyo + "segments:\n")
    text += "    calendar: tokyo\nteams:\n  paris: {calendar: office}\n"
    policy = parse_policy(text)
    segment = policy.segments[0]
    assert policy.calendar_for(segment, None).timezone == "Asia/Tokyo"
    assert policy.calendar_for(segment, "paris").timezone == "Europe/Paris"


# --- errors: the file itself ---------------------------------------------------------------------


def test_policy_error_lists_every_problem_one_per_line():
    error = PolicyError(["a.yaml:1: x: bad", "a.yaml:2: y: worse"])
    assert isinstance(error, ValueError)
    assert str(error) == "a.yaml:1: x: bad\na.yaml:2: y: worse"
    assert error.problems == ("a.yaml:1: x: bad", "a.yaml:2: y: worse")


def test_not_yaml_names_the_line():
    assert problems("version: 1\nsegments: [a, b\n") == [
        "p.yaml:3: not valid YAML: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence started on line 2)"]
    assert problems("version: 1\n  bad: indent\n") == [
        "p.yaml:2: not valid YAML: mapping values are not allowed here"]


def test_unsafe_yaml_tags_are_refused():
    assert problems(variant("target: 1h", "target: !!python/object/apply:os.system [ls]")) == [
        "p.yaml:11: not valid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'"]


@pytest.mark.parametrize(("text", "kind"), [("", "empty"), ("- a\n- b\n", "a list"), ("hello\n", "a single value")])
def test_top_level_must_be_a_mapping(text, kind):
    assert problems(text) == [
        f"p.yaml:1: the top level must be a mapping (version, calendars, segments, ...), but it is {kind}"]


@pytest.mark.parametrize(("written", "shown"), [("2", "2"), ("'1'", "'1'"), ("one", "'one'"), ("true", "True")])
def test_unsupported_version_stops_before_anything_else(written, shown):
    text = variant("version: 1", f"version: {written}\ncolour: red")  # the extra field is not reported
    assert problems(text) == [
        f"p.yaml:1: version: unsupported policy version {shown}: this leadsla understands version 1"]


def test_missing_version_is_reported_with_the_other_problems():
    text = variant("version: 1\n", "# no version here\n")
    assert problems(variant("target: 1h", "target: 1x", text)) == [
        "p.yaml:2: version: missing policy version: add 'version: 1' at the top",
        f"p.yaml:11: segments[0].speed_to_lead.target: invalid duration '1x': {DURATION_HINT}",
    ]


def test_duplicate_keys_are_reported():
    assert problems(variant("default_calendar: office\n", "default_calendar: office\ndefault_calendar: office\n")) == [
        "p.yaml:3: default_calendar: duplicate key (first given on line 2)"]


# --- errors: fields ------------------------------------------------------------------------------


def test_invalid_duration():
    assert problems(variant("target: 1h", "target: 1x")) == [
        f"p.yaml:11: segments[0].speed_to_lead.target: invalid duration '1x': {DURATION_HINT}"]


def test_invalid_duration_in_a_flow_mapping_and_a_list():
    escalations = "      escalations:\n        - {after: soon, notify: manager}\n"
    text = variant("      target: 1h\n", "      target: 1h\n" + escalations)
    assert problems(text) == [
        f"p.yaml:13: segments[0].speed_to_lead.escalations[0].after: invalid duration 'soon': {DURATION_HINT}"]


def test_unknown_field():
    assert problems(variant("    speed_to_lead:", "    colour: red\n    speed_to_lead:")) == [
        "p.yaml:10: segments[0].colour: Extra inputs are not permitted"]


def test_missing_field_points_at_the_parent_mapping():
    assert problems(variant("      target: 1h\n", "      clock: business\n")) == [
        "p.yaml:10: segments[0].speed_to_lead.target: Field required"]
    assert problems(variant("default_calendar: office\n", "")) == [
        "p.yaml:1: default_calendar: Field required"]


def test_model_rule_points_at_the_mapping_key():
    assert problems(variant("target: 1h", "target: 1h\n      warn_before: 2h")) == [
        "p.yaml:10: segments[0].speed_to_lead: warn_before must be between 0s and the target"]


def test_choice_fields_list_the_allowed_values():
    assert problems(variant("version: 1\n", "version: 1\nreassignment: never\n")) == [
        "p.yaml:2: reassignment: Input should be 'keep_clock' or 'restart_clock'"]
    assert problems(variant("      mon:", "      monday:")) == [
        "p.yaml:7: calendars.office.hours.monday: Input should be 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'"]


def test_match_values_must_be_text_or_lists_of_text():
    text = variant("    speed_to_lead:", "    match:\n      offer: [demo, 5]\n      size: 3\n    speed_to_lead:")
    assert problems(text) == [
        "p.yaml:11: segments[0].match.offer[1]: Input should be a valid string",
        "p.yaml:12: segments[0].match.size: Input should be a valid string or a valid list",
    ]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("default_calendar: office", "default_calendar: ofice",
     "p.yaml:2: default_calendar: unknown calendar 'ofice' (known: ['office'])"),
    ("      target: 1h\n", "      target: 1h\n    calendar: nowhere\n",
     "p.yaml:12: segments[0].calendar: unknown calendar 'nowhere' (known: ['office'])"),
    ("      target: 1h\n", "      target: 1h\nteams:\n  east: {calendar: nowhere}\n",
     "p.yaml:13: teams.east.calendar: unknown calendar 'nowhere' (known: ['office'])"),
])
def test_unknown_calendar_reference(old, new, expected):
    assert problems(variant(old, new)) == [expected]


def test_empty_segment_list():
    assert problems(variant("segments:\n  - name: all\n    speed_to_lead:\n      target: 1h\n", "segments: []\n")) == [
        "p.yaml:8: segments: Tuple should have at least 1 item after validation, not 0"]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc/passwd", ""])
def test_invalid_time_zone(zone):
    assert problems(variant("timezone: Europe/Paris", f"timezone: '{zone}'")) == [
        f"p.yaml:5: calendars.office.timezone: unknown time zone {zone!r}"]


# The calendar checks a day's ranges together (to find overlaps), so these point at "hours:".
@pytest.mark.parametrize(("ranges", "message"), [
    ('["9-5"]', "invalid business-hours range '9-5' on mon: expected 'HH:MM-HH:MM', e.g. '09:00-17:30'"),
    ('["17:00-09:00"]', "business-hours range '17:00-09:00' on mon must end after it starts; "
                        "for hours past midnight use '...-24:00' and '00:00-...' on the next day"),
    ('["09:00-25:00"]', "invalid time '25:00' in range '09:00-25:00' on mon: hours must be 00-23, or 24:00"),
    ('["09:00-12:00", "11:00-13:00"]', "business-hours ranges '09:00-12:00' and '11:00-13:00' on mon overlap"),
    ("[]", "calendar has no business hours"),
])
def test_bad_hour_ranges(ranges, message):
    assert problems(variant('["09:00-17:00"]', ranges)) == [f"p.yaml:6: calendars.office.hours: {message}"]


def test_several_problems_at_once_in_file_order():
    text = variant("version: 1\n", "version: 1\nreassignment: never\n")
    text = variant("target: 1h", "target: 1x\n      warn_before: 5q\n    colour: red", text)
    assert problems(text) == [
        "p.yaml:2: reassignment: Input should be 'keep_clock' or 'restart_clock'",
        f"p.yaml:12: segments[0].speed_to_lead.target: invalid duration '1x': {DURATION_HINT}",
        f"p.yaml:13: segments[0].speed_to_lead.warn_before: invalid duration '5q': {DURATION_HINT}",
        "p.yaml:14: segments[0].colour: Extra inputs are not permitted",
    ]


def test_yaml_merge_keys_keep_working():
    text = variant("    hours:\n      mon:", "    hours: &office\n      mon:")
    annex = '  annex:\n    timezone: Europe/Paris\n    hours: {<<: *office, tue: ["10:00-12:00"]}\n'
    text = variant("segments:", annex + "segments:", text)
    policy = parse_policy(text)
    assert policy.calendars["annex"].hours == {"mon": ("09:00-17:00",), "tue": ("10:00-12:00",)}


@pytest.mark.parametrize(("path", "shown"), [
    (("segments", 0, "speed_to_lead", "target"), "segments[0].speed_to_lead.target"),
    (("teams", "inbound-east", "calendar"), "teams.inbound-east.calendar"),
    (("calendars", "us east", "timezone"), "calendars['us east'].timezone"),
    ((), ""),
])
def test_format_path(path, shown):
    assert format_path(path) == shown


def test_bare_number_is_not_a_duration():
    assert problems(variant("target: 1h", "target: 15")) == [
        "p.yaml:11: segments[0].speed_to_lead.target: a duration must be text like '15m', not 15"]


def test_rep_capacity_comes_from_the_rep_then_the_team_then_the_default(example):
    policy = parse_policy(BASE + "teams: {east: {calendar: office}}\n"
                                 "capacity: {attempts_per_day: 50, teams: {east: 30}, reps: {rep-1: 20}}\n")
    assert [policy.capacity.of(rep, team) for rep, team in [("rep-1", "east"), ("rep-2", "east"), ("rep-3", "west")]
            ] == [20, 30, 50]
    assert parse_policy(BASE).capacity.of("rep-1", "east") is None  # no capacity set: unknown, not 0
    assert example.capacity.of("rep-ent-1", "enterprise") == 40


def test_capacity_for_a_team_the_policy_does_not_know_is_refused():
    found = problems(BASE + "capacity: {teams: {pirates: 30}}\n")
    assert len(found) == 1 and "capacity.teams: unknown team 'pirates'" in found[0]
    assert any("greater than 0" in p for p in problems(BASE + "capacity: {attempts_per_day: 0}\n"))
