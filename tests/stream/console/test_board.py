"""Pure tests of the live board (streams.console.board) and how the console draws it
(streams.console.screen, formatting, live_view)."""

from __future__ import annotations

import io
import threading
from datetime import datetime, timedelta, timezone

from rich.console import Console

from models.outcomes import Outcome
from streams.console.board import Board, Compliance
from streams.console.formatting import detail, plain_line, span, time_left
from streams.console.live_view import LiveView
from streams.console.screen import render

UTC = timezone.utc
HANDOFF = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 New York
DEADLINE = HANDOFF + timedelta(minutes=15)


def outcome(kind: str, lead: str = "L-000001", *, at: datetime | None = None, cycle: int = 1,
            team: str = "enterprise", rep: str = "rep-ent-2", suffix: str | None = None,
            deadline: datetime = DEADLINE, **extra) -> Outcome:
    return Outcome(
        schema_version=1, kind=kind,
        outcome_id=f"{lead}/{cycle}/{kind}" + (f"/{suffix}" if suffix else ""),
        lead_id=lead, cycle=cycle, at=at or HANDOFF, team=team, owner_rep=rep,
        segment="enterprise-demo", clock="business", handoff_at=HANDOFF, deadline_at=deadline, **extra,
    )


def correction(of: Outcome, number: int = 1) -> Outcome:
    """Built the way models.lead_state does: a copy of the withdrawn outcome."""
    return of.model_copy(update={"kind": "corrected", "outcome_id": f"{of.outcome_id}/corrected/{number}",
                                 "corrects": of.outcome_id})


def states(board: Board) -> dict[str, str]:
    return {lead.lead_id: lead.state for lead in board.waiting()}


def fold(*outcomes: Outcome, **options) -> Board:
    board = Board(**options)
    for item in outcomes:
        board.apply(item)
    return board


# -- waiting ------------------------------------------------------------------------


def test_lead_walks_from_waiting_to_escalated_and_leaves_on_late_contact() -> None:
    board = fold(outcome("opened"))
    assert states(board) == {"L-000001": "waiting"}
    board.apply(outcome("warning", at=DEADLINE - timedelta(minutes=5)))
    assert states(board) == {"L-000001": "warned"}
    board.apply(outcome("breached", at=DEADLINE))
    assert states(board) == {"L-000001": "breached"}
    board.apply(outcome("escalated", at=DEADLINE + timedelta(minutes=15), level=1, notify="manager", suffix="1"))
    board.apply(outcome("escalated", at=DEADLINE + timedelta(hours=1), level=2, notify="director", suffix="2"))
    assert states(board) == {"L-000001": "escalated 2"}
    late = DEADLINE + timedelta(minutes=72)
    board.apply(outcome("contacted_late", at=late, contact_at=late))
    assert board.waiting() == []


def test_waiting_lead_carries_its_details_and_current_owner() -> None:
    board = fold(outcome("opened"), outcome("reassigned", at=HANDOFF + timedelta(minutes=3),
                                            rep="rep-ent-7", suffix="1"))
    [lead] = board.waiting()
    assert (lead.lead_id, lead.cycle, lead.team, lead.owner_rep, lead.segment) == (
        "L-000001", 1, "enterprise", "rep-ent-7", "enterprise-demo")
    assert (lead.handoff_at, lead.deadline_at, lead.state) == (HANDOFF, DEADLINE, "waiting")


def test_waiting_is_sorted_by_deadline() -> None:
    board = fold(outcome("opened", "L-late", deadline=DEADLINE + timedelta(hours=1)),
                 outcome("opened", "L-soon"), outcome("opened", "L-mid", deadline=DEADLINE + timedelta(minutes=1)))
    assert [lead.lead_id for lead in board.waiting()] == ["L-soon", "L-mid", "L-late"]


def test_met_and_returned_end_the_wait() -> None:
    board = fold(outcome("opened", "L-met"), outcome("opened", "L-returned"), outcome("opened", "L-open"),
                 outcome("met", "L-met", at=HANDOFF + timedelta(minutes=4), contact_at=HANDOFF + timedelta(minutes=4)),
                 outcome("returned", "L-returned", at=HANDOFF + timedelta(minutes=9)))
    assert states(board) == {"L-open": "waiting"}


def test_a_recycled_lead_waits_again_in_its_new_cycle() -> None:
    board = fold(outcome("opened"), outcome("returned", at=HANDOFF + timedelta(minutes=5)),
                 outcome("opened", cycle=2, at=HANDOFF + timedelta(days=1)))
    assert [(lead.lead_id, lead.cycle) for lead in board.waiting()] == [("L-000001", 2)]


# -- corrections ----------------------------------------------------------------------


def test_a_withdrawn_breach_returns_the_lead_to_waiting_and_uncounts_it() -> None:
    warning = outcome("warning", at=DEADLINE - timedelta(minutes=5))
    breach = outcome("breached", at=DEADLINE)
    board = fold(outcome("opened"), warning, breach)
    assert board.compliance().overall == Compliance(met=0, breached=1)
    board.apply(correction(breach))
    assert states(board) == {"L-000001": "warned"}
    assert board.compliance().overall == Compliance(met=0, breached=0)
    # The late-arriving call was in time after all: met follows the correction.
    board.apply(outcome("met", at=DEADLINE - timedelta(minutes=1), contact_at=DEADLINE - timedelta(minutes=1)))
    assert board.waiting() == []
    assert board.compliance().overall == Compliance(met=1, breached=0)


def test_a_withdrawn_contact_reopens_a_finished_lead() -> None:
    met = outcome("met", at=HANDOFF + timedelta(minutes=4), contact_at=HANDOFF + timedelta(minutes=4))
    board = fold(outcome("opened"), met, correction(met))
    assert states(board) == {"L-000001": "waiting"}
    assert board.compliance().overall.met == 0


def test_withdrawing_the_opening_itself_removes_the_lead() -> None:
    opened = outcome("opened")
    board = fold(opened, correction(opened))
    assert board.waiting() == []


def test_redeliveries_change_nothing() -> None:
    breach = outcome("breached", at=DEADLINE)
    board = fold(outcome("opened"), breach, breach, correction(breach), correction(breach))
    assert board.counts() == {"opened": 1, "breached": 1, "corrected": 1}
    assert [o.kind for o in board.recent(10)] == ["breached", "corrected"]
    assert board.compliance().overall == Compliance(0, 0)


# -- compliance, counts, recent --------------------------------------------------------


def test_compliance_overall_and_per_team() -> None:
    def met(lead: str, team: str) -> Outcome:
        return outcome("met", lead, team=team, at=HANDOFF + timedelta(minutes=2), contact_at=HANDOFF)

    late = DEADLINE + timedelta(minutes=10)
    board = fold(
        met("A", "enterprise"), met("B", "enterprise"), met("C", "enterprise"), met("D", "na-east"),
        outcome("breached", "E", at=DEADLINE), outcome("breached", "F", team="na-east", at=DEADLINE),
        # Contacted after the deadline: still a breach, and not a met.
        outcome("contacted_late", "F", team="na-east", at=late, contact_at=late),
    )
    report = board.compliance()
    assert report.overall == Compliance(met=4, breached=2)
    assert report.overall.rate == 4 / 6
    assert report.by_team == {"enterprise": Compliance(3, 1), "na-east": Compliance(1, 1)}
    assert report.by_team["na-east"].rate == 0.5
    assert Board().compliance().overall.rate is None


def test_counts_per_kind() -> None:
    board = fold(outcome("opened", "A"), outcome("opened", "B"), outcome("warning", "A"), outcome("breached", "A"))
    assert board.counts() == {"opened": 2, "warning": 1, "breached": 1}


def test_recent_is_bounded_excludes_openings_and_keeps_arrival_order() -> None:
    board = Board(recent_size=5)
    for n in range(12):
        board.apply(outcome("opened", f"L-{n}"))
        board.apply(outcome("returned", f"L-{n}", at=HANDOFF + timedelta(minutes=n)))
    assert [o.lead_id for o in board.recent(3)] == ["L-9", "L-10", "L-11"]
    assert [o.lead_id for o in board.recent(100)] == [f"L-{n}" for n in range(7, 12)]
    assert board.recent(0) == []


def test_finished_leads_are_forgotten_beyond_the_memory_bound() -> None:
    board = Board(finished_memory=3)
    for n in range(10):
        board.apply(outcome("opened", f"L-{n}"))
        board.apply(outcome("met", f"L-{n}", contact_at=HANDOFF))
    assert board.waiting() == []
    assert len(board._finished) == 3  # noqa: SLF001 - the bound is the point of the test
    assert board.compliance().overall.met == 10


# -- rendering ------------------------------------------------------------------------


def rendered(board: Board, now: datetime, **options) -> str:
    console = Console(record=True, width=120)
    console.print(render(board, now, **options))
    return console.export_text()


def test_render_shows_a_breached_lead_with_its_overdue_time() -> None:
    board = fold(outcome("opened"), outcome("breached", at=DEADLINE),
                 outcome("escalated", "L-000002", at=DEADLINE, level=1, notify="manager", suffix="1"))
    text = rendered(board, DEADLINE + timedelta(minutes=12), records_read=3)
    assert "L-000001" in text
    assert "BREACHED" in text
    assert "overdue 12m" in text
    assert "escalated to manager" in text
    assert "simulated time" in text and "2026-11-23 09:27" in text  # New York time
    assert "compliance 0.0%" in text


def test_render_shows_the_consumer_error() -> None:
    text = rendered(Board(), HANDOFF, error="NoBrokersAvailable: NoBrokersAvailable")
    assert "NoBrokersAvailable" in text and "retrying" in text


def test_details_and_plain_lines() -> None:
    late = DEADLINE + timedelta(minutes=12)
    assert detail(outcome("contacted_late", at=late, contact_at=late), UTC) == "contacted 12m late"
    line = plain_line(outcome("breached", at=DEADLINE), DEADLINE.tzinfo)
    assert line.split() == ["2026-11-23", "14:15", "BREACHED", "L-000001", "enterprise", "rep-ent-2",
                            "enterprise-demo", "deadline", "14:15"]
    assert span(3 * 3600 + 5 * 60) == "3h05m" and time_left(DEADLINE, HANDOFF) == "15m left"


def test_plain_mode_prints_one_line_per_new_outcome() -> None:
    out = io.StringIO()
    view = LiveView("localhost:1", "outcomes", clock=None, stop=threading.Event(),  # type: ignore[arg-type]
                    console=Console(file=out, width=200), plain=True)
    breach = outcome("breached", at=DEADLINE)
    records = [_Record(o.model_dump_json().encode(), n) for n, o in enumerate([outcome("opened"), breach, breach])]
    view._feed(records + [_Record(b"not json", 3)])  # noqa: SLF001 - no broker in a pure test
    assert out.getvalue().splitlines() == [plain_line(breach, view.tz)]
    assert (view.records_read, view.undecodable) == (4, 1)


class _Record:
    def __init__(self, value: bytes, offset: int) -> None:
        self.value = value
        self.offset = offset
