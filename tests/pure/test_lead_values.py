"""Values per type of lead in a value-mode goal group (`lead_values`): the method's demo request $100,
webinar $80, ebook $30. Validation names the line; every waterfall in value sums each lead's own value.

Every expected figure is worked out by hand in the comments, not by the code under test.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from models.closed_loop import Month
from models.events import Tick
from models.goal_report import closed_loop_book, closed_loop_window, goal_report
from models.lead_values import summed_worth
from models.policy_file import parse_policy
from models.report import Period
from models.report_marketing import MarketingBook
from models.tracker import Tracker
from models.waterfall import month_to_date_counts
from models.events import LeadConverted
from tests.pure.test_closed_loop import PARIS, deal, paris
from tests.pure.test_goal_groups import problems

# Line numbers matter: they are written next to the lines.
POLICY = """\
version: 1
default_calendar: office
calendars:
  office: {timezone: Europe/Paris, hours: {mon: ["09:00-17:00"]}}
segments:
  - name: demos
    match: {source: marketing, offer: demo-request}
    speed_to_lead: {target: 15m}
  - name: rest
    speed_to_lead: {target: 4h}
goals:
  monthly_quota: 5000
  closed_loop: {window_months: 6, sales_cycle_months: 0}
  known_values: {offer: [webinar, ebook, whitepaper], quality: [hot]}
  groups:
    - name: content
      mode: value
      lead_value: 10
      lead_values:
        offer:
          demo-request: 100
          webinar: 80
          ebook: 30
    - name: events
      select: {offer: [demo-request, webinar]}
      mode: value
      lead_values:
        offer: {demo-request: 100, webinar: 80}
"""  # lines 1..28


def lead(lead_id: str, at, offer: str | None = None, source: str = "marketing") -> LeadConverted:
    return LeadConverted(schema_version=1, event_id=f"c-{lead_id}", lead_id=lead_id, occurred_at=at, source=source,
                         segment="smb", offer=offer)


def variant(old: str, new: str) -> str:
    assert old in POLICY, f"test setup: {old!r} is not in the policy"
    return POLICY.replace(old, new, 1)


# --- the table in the policy ----------------------------------------------------------------------


def test_a_value_mode_group_takes_a_value_per_offer():
    content, events = parse_policy(POLICY).goals.groups
    assert content.lead_values == {"offer": {"demo-request": 100, "webinar": 80, "ebook": 30}}
    assert (content.lead_value, events.lead_value) == (10, None)


@pytest.mark.parametrize("old, new, problem", [
    ("          ebook: 30", "          e-book: 30",
     "p.yaml:23: goals.groups[0].lead_values.offer.e-book: no lead can have it: 'e-book' is not an offer this "
     "policy knows (known: demo-request, ebook, webinar, whitepaper); a value leads carry that no segment matches "
     "on goes in goals.known_values.offer"),
    ("offer: {demo-request: 100, webinar: 80}", "offer: {demo-request: 100, webinar: 80, ebook: 30}",
     "p.yaml:28: goals.groups[1].lead_values.offer.ebook: no lead of this group has offer 'ebook': the group "
     "selects offer demo-request, webinar"),
    ("offer: {demo-request: 100, webinar: 80}", "offer: {demo-request: 100}",
     "p.yaml:28: goals.groups[1].lead_values.offer: a lead of this group with offer webinar would have no value: "
     "list it, or set the group's lead_value (what a lead of a type the table does not list is worth)"),
    ("      lead_value: 10\n", "",
     "p.yaml:19: goals.groups[0].lead_values.offer: a lead of this group with an offer the table does not list "
     "would have no value (the group selects any offer): set the group's lead_value (what such a lead is worth), "
     "or select only the values of offer it lists"),
    ("      mode: value\n      lead_value: 10\n", "",
     "p.yaml:17: goals.groups[0].lead_values: values per type of lead are for a group in value mode; this group "
     "counts leads (mode: count): add mode: value, or leave lead_values out"),
    ("offer: {demo-request: 100, webinar: 80}", "offer: {demo-request: 100, webinar: 80}\n        quality: {hot: 5}",
     "p.yaml:27: goals.groups[1].lead_values: one attribute gives a lead its type, here 2 do (offer, quality): "
     "keep one"),
    ("offer: {demo-request: 100, webinar: 80}", "offer: {}",
     "p.yaml:28: goals.groups[1].lead_values.offer: no value is listed: list what each offer is worth, or leave "
     "lead_values out"),
    ("          ebook: 30", "          ebook: 0",
     "p.yaml:23: goals.groups[0].lead_values.offer.ebook: Input should be greater than 0"),
    ("offer: {demo-request: 100, webinar: 80}", "source: {marketing: 100}",
     "p.yaml:28: goals.groups[1].lead_values.source: Input should be 'segment', 'offer', 'quality' or "
     "'persona'"),
], ids=["unknown-offer", "not-selected", "not-covered", "any-offer-no-fallback", "count-mode", "two-attributes",
        "empty", "zero", "not-an-attribute"])
def test_a_table_that_cannot_price_the_groups_leads_is_refused_naming_the_line(old, new, problem):
    assert problems(variant(old, new)) == [problem]


# --- each lead its own value ----------------------------------------------------------------------
# November 2026 (Paris), marketing leads: two demo requests (the 2nd), a webinar (the 3rd), three ebooks
# (the 3rd, 4th, 4th), a whitepaper and a lead without offer (the 5th), and Sales' own demo request.
#   content (any offer; else 10): 2 x 100 + 80 + 3 x 30 + 10 + 10 = 390;
#     by day: the 2nd 200, the 3rd 200 + 80 + 30 = 310, the 4th 370, the 5th 390.
#   events (demo requests and webinars): 2 x 100 + 80 = 280; the 2nd 200, from the 3rd on 280.
NOVEMBER = [
    lead("d1", paris(2026, 11, 2), offer="demo-request"), lead("d2", paris(2026, 11, 2), offer="demo-request"),
    lead("w1", paris(2026, 11, 3), offer="webinar"), lead("e1", paris(2026, 11, 3), offer="ebook"),
    lead("e2", paris(2026, 11, 4), offer="ebook"), lead("e3", paris(2026, 11, 4), offer="ebook"),
    lead("p1", paris(2026, 11, 5), offer="whitepaper"), lead("n1", paris(2026, 11, 5)),
    lead("s1", paris(2026, 11, 5), offer="demo-request", source="sales"),
]


def test_the_goal_report_gives_each_months_value_of_its_leads():
    """December's goal, no sales cycle: June to November. Only November has leads."""
    policy = parse_policy(POLICY)
    book = closed_loop_book(policy, Month(2026, 12))
    for event in NOVEMBER:
        book.add(event)
    report = goal_report(policy, book, Month(2026, 12), closed_loop_window(policy)).as_json()
    content, events = report["groups"]
    assert [m["value"] for m in content["months"]] == [0, 0, 0, 0, 0, 390]
    assert [m["value"] for m in events["months"]] == [0, 0, 0, 0, 0, 280]
    assert (content["value"], events["value"]) == (pytest.approx(390 / 6), pytest.approx(280 / 6))
    assert (content["lead_value"], content["lead_values"]) == (10, {"offer": {"demo-request": 100, "webinar": 80,
                                                                               "ebook": 30}})
    assert events["lead_value"] is None  # the table prices every lead it selects; no derived value


def test_the_period_reports_waterfall_adds_each_leads_value_day_by_day():
    policy = parse_policy(POLICY)
    book = MarketingBook(policy, Period(date(2026, 11, 1), date(2026, 11, 5), "Europe/Paris"))
    for event in NOVEMBER:
        book.add(event)
    groups = {g.group: g for g in book.finish().groups}
    assert [d.value for d in groups["content"].days] == [0, 200, 310, 370, 390]
    assert [d.value for d in groups["events"].days] == [0, 200, 280, 280, 280]
    assert [d.leads for d in groups["content"].days] == [0, 2, 4, 6, 8]
    assert groups["events"].in_value  # followed in value, though it has no single lead value


def test_the_live_waterfall_adds_each_leads_value():
    policy = parse_policy(POLICY)
    tracker = Tracker(policy, {}, {})
    for event in NOVEMBER:
        tracker.on_entry(0, event)
    watermark = paris(2026, 11, 5, 23)
    tracker.on_entry(0, Tick(schema_version=1, at=watermark + policy.allowed_lateness, partition=0))
    counts = month_to_date_counts(tracker.leads.values(), {0: watermark}, policy, PARIS)
    assert counts.values == {"content": 390, "events": 280}
    assert (counts.leads["content"], counts.leads["events"]) == (8, 3)


def test_a_group_without_a_table_is_worth_its_leads_times_the_lead_value():
    group = parse_policy(POLICY).goals.groups[0].model_copy(update={"lead_values": None})
    assert summed_worth(group, [{"offer": "demo-request"}] * 3) == 30  # 3 x its lead_value, 10
    unpriced = group.model_copy(update={"lead_value": None})
    assert summed_worth(unpriced, [{"offer": "ebook"}] * 3, fallback=7.5) == 22.5  # close rate x deal size
    assert summed_worth(unpriced, [], fallback=None) is None  # nothing prices it: unknown, not 0


def test_won_deals_do_not_change_what_a_lead_is_worth():
    policy = parse_policy(POLICY)
    book = closed_loop_book(policy, Month(2026, 12))
    for event in NOVEMBER + [deal("D1", "d1", paris(2026, 11, 20), 5000)]:
        book.add(event)
    content = goal_report(policy, book, Month(2026, 12), closed_loop_window(policy)).groups[0]
    assert content.values[-1] == 390 and content.lead_value == 10


def test_the_readme_example_prices_the_methods_leads():
    """README, "Values per type of lead": the group shown is valid, and worth what the method says."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("**Values per type of lead**"):]
    block = textwrap.dedent(section[section.index("```yaml\n") + 8:section.index("```\n")])
    policy = parse_policy(POLICY.split("  groups:\n")[0] + "  groups:\n" + textwrap.indent(block, "    "))
    inbound = policy.goals.groups[0]
    leads = [{"offer": offer} for offer in ("demo-request", "webinar", "ebook", "podcast", None)]
    assert summed_worth(inbound, leads) == 100 + 80 + 30 + 10 + 10
