"""Marketing, live and pure: the closed loop folded per lead gives `leadsla goals`' figures in
any arrival order, and the waterfall counts by the event-time watermark, per goal group."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from models.closed_loop import Month
from models.events import Tick
from models.goal_report import closed_loop_book, closed_loop_window, goal_report
from models.loop_ledger import MAX_DEALS_PER_LEAD, fold, live_window
from models.tracker import Tracker
from models.waterfall import month_to_date_counts
from tests.pure.test_closed_loop import PARIS, POLICY, deal, lead, paris


def history() -> list:
    """Leads of 2026 with deals, re-converted leads, reopened deals and Sales' own leads."""
    rng = random.Random(7)
    events = []
    for n in range(60):
        converted = paris(2026, rng.randint(1, 10), rng.randint(1, 28))
        segment = rng.choice(["enterprise", "smb", "other"])
        events.append(lead(f"L{n}", converted, segment, rng.choice(["marketing", "marketing", "sales"])))
        if rng.random() < 0.3:
            events.append(lead(f"L{n}", converted + timedelta(days=40), segment))  # a later conversion
        for d in range(rng.randint(0, 2)):
            closed = converted + timedelta(days=rng.randint(5, 120))
            events.append(deal(f"D{n}-{d}", f"L{n}", closed, rng.choice([100, 250, 900]),
                               rng.choice(["won", "won", "lost"])))
            if rng.random() < 0.2:  # reopened and closed again
                events.append(deal(f"D{n}-{d}", f"L{n}", closed + timedelta(days=9), 400, "won"))
    return events


def loops_of(events: list) -> list:
    loops: dict = {}
    for event in events:
        changed = fold(loops.get(event.lead_id), event, partition=0)
        if changed is not None:
            loops[event.lead_id] = changed
    return list(loops.values())


def test_the_live_fold_gives_the_goal_reports_figures_in_any_arrival_order():
    events, today = history(), paris(2026, 11, 20).date()
    book = closed_loop_book(POLICY, Month(2026, 11))
    for event in events:
        book.add(event)
    report = goal_report(POLICY, book, Month(2026, 11), closed_loop_window(POLICY))
    expected = {g.name: list(g.months) for g in report.groups + (report.total,)}
    assert sum(m.customers for m in expected["total"]) > 3  # the history has customers to count
    for seed in range(5):
        shuffled = list(events)
        random.Random(seed).shuffle(shuffled)
        assert live_window(loops_of(shuffled), POLICY, today).figures == expected


def test_only_a_change_is_written_and_a_leads_deals_stay_bounded():
    first = fold(None, lead("L1", paris(2026, 3, 2)), partition=4)
    assert first.partition == 4 and first.converted_at == paris(2026, 3, 2)
    assert fold(first, lead("L1", paris(2026, 4, 2)), partition=4) is None  # not the first conversion
    won = fold(first, deal("D1", "L1", paris(2026, 5, 1), 100), partition=4)
    assert fold(won, deal("D1", "L1", paris(2026, 4, 1), 100, "lost"), partition=4) is None  # an older record
    assert fold(won, deal("D1", "L1", paris(2026, 5, 1), 100), partition=4) is None  # the same again
    many = won
    for n in range(MAX_DEALS_PER_LEAD + 10):
        many = fold(many, deal(f"X{n}", "L1", paris(2026, 6, 1) + timedelta(hours=n), 1), partition=4)
    assert len(many.deals) == MAX_DEALS_PER_LEAD and "X73" in many.deals and "D1" not in many.deals


def tracked(events: list, watermark: datetime) -> Tracker:
    tracker = Tracker(POLICY, {}, {})
    for event in events:
        tracker.on_entry(0, event)
    tracker.on_entry(0, Tick(schema_version=1, at=watermark + POLICY.allowed_lateness, partition=0))
    return tracker


def test_the_waterfall_counts_the_watermarks_month_per_group_never_the_machines_clock():
    october = [lead("E1", paris(2026, 10, 30), "enterprise"), lead("S1", paris(2026, 10, 31), "smb")]
    november = [lead("E2", paris(2026, 11, 2), "enterprise"), lead("E3", paris(2026, 11, 3), "enterprise"),
                lead("S2", paris(2026, 11, 3), "smb"), lead("X1", paris(2026, 11, 3), "smb", source="sales"),
                lead("O1", paris(2026, 11, 4), "other")]
    late = [lead("E4", paris(2026, 11, 9), "enterprise")]  # not yet passed by the watermark
    watermark = paris(2026, 11, 5)
    tracker = tracked(october + november + late, watermark)
    counts = month_to_date_counts(tracker.leads.values(), {0: watermark}, POLICY, PARIS)
    assert counts.today == watermark.date() and (counts.day, counts.days) == (5, 30)
    assert dict(counts.leads) == {"ent": 2, "smb-typed": 1, "total": 4}  # sales' lead is not marketing's
    # A replay that has only reached 31 October shows October's waterfall, whatever the date today.
    replay = tracked(october + november + late, paris(2026, 10, 31, 23))
    counts = month_to_date_counts(replay.leads.values(), {0: paris(2026, 10, 31, 23)}, POLICY, PARIS)
    assert (counts.today.month, dict(counts.leads)) == (10, {"ent": 1, "smb-typed": 1, "total": 2})


def test_a_partition_without_a_watermark_counts_nothing_yet():
    tracker = tracked([lead("E2", paris(2026, 11, 2), "enterprise")], paris(2026, 11, 5))
    counts = month_to_date_counts(tracker.leads.values(), {3: paris(2026, 11, 5)}, POLICY, PARIS)
    assert dict(counts.leads) == {}
    assert month_to_date_counts([], {}, POLICY, PARIS).today is None
