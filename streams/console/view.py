"""The live terminal view of ``leadsla run``: the outcomes topic, as a board.

A background thread reads the outcomes topic from the beginning with an
assigned kafka-python consumer (no group: groups don't work against the
embedded broker, and a view must not steal partitions from anyone), folds it
into a ``Board`` and shows it with ``rich.live.Live``. When stdout is not a
terminal (CI, a pipe, a log file) it prints one plain line per new outcome
instead, which reads well in logs.

The view must never take the process down: consumer errors are shown (in the
header, or as a line) and the consumer is rebuilt, resuming where it stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, tzinfo

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from pydantic import ValidationError
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from models.outcomes import Outcome
from streams.console.board import Board, WaitingLead
from streams.runtime.clock import DEMO_TIMEZONE, Clock

REFRESH_PER_SECOND = 2
POLL_MS = 250  # also bounds how long stop() waits for the consumer loop
RETRY_S = 2.0
BOOTSTRAP_TIMEOUT_MS = 5_000  # kafka-python waits 30s by default: too long to report, or to stop
CLIENT_ID = "leadsla-view"
KIND_COLUMN = 14  # width of the longest label, "CONTACTED LATE"
STATE_STYLES = {"warned": "yellow", "breached": "red", "escalated": "bold red"}

# -- formatting (pure) -------------------------------------------------------------


def label(kind: str) -> str:
    return kind.replace("_", " ").upper()


def span(seconds: float) -> str:
    """A duration, short: 45s, 12m, 1h05m, 2d03h."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m" if minutes else f"{secs}s"


def time_left(deadline: datetime, now: datetime) -> str:
    seconds = (deadline - now).total_seconds()
    return f"{span(seconds)} left" if seconds > 0 else f"overdue {span(seconds)}"


def stamp(moment: datetime, tz: tzinfo) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"


def detail(outcome: Outcome, tz: tzinfo) -> str:
    """What a manager wants to know about an outcome, in a few words."""
    kind = outcome.kind
    if kind == "escalated":
        to = f"escalated to {outcome.notify}" if outcome.notify else "escalated"
        return f"{to} (level {outcome.level or 1})"
    if kind == "contacted_late" and outcome.contact_at is not None:
        return f"contacted {span((outcome.contact_at - outcome.deadline_at).total_seconds())} late"
    if kind == "met" and outcome.contact_at is not None:
        return f"contacted {span((outcome.deadline_at - outcome.contact_at).total_seconds())} before deadline"
    if kind == "depth_breached":
        return f"only {outcome.attempts or 0} attempts in the follow-up period"
    if kind == "reassigned":
        return f"now owned by {outcome.owner_rep}"
    if kind == "returned":
        return "returned to marketing"
    if kind == "corrected":
        return f"withdraws {outcome.corrects}"
    return f"deadline {outcome.deadline_at.astimezone(tz):%H:%M}"  # opened, warning, breached


def plain_line(outcome: Outcome, tz: tzinfo) -> str:
    """One log line, e.g. ``2026-11-23 09:17  BREACHED  L-1  enterprise  rep-2  enterprise-demo  deadline 09:17``."""
    fields = (outcome.lead_id, outcome.team, outcome.owner_rep, outcome.segment, detail(outcome, tz))
    return f"{stamp(outcome.at, tz)}  {label(outcome.kind):<{KIND_COLUMN}}  " + "  ".join(fields)


def state_label(state: str) -> str:
    return state if state == "waiting" else state.upper()


# -- rendering (pure apart from reading the board) ------------------------------------


def render(
    board: Board,
    now: datetime,
    *,
    tz: tzinfo = DEMO_TIMEZONE,
    records_read: int | None = None,
    undecodable: int = 0,
    error: str | None = None,
    max_waiting: int = 15,
    max_recent: int = 10,
) -> RenderableType:
    waiting = board.waiting()
    header = _header(board, now, tz, len(waiting), records_read, undecodable, error)
    return Group(header, _waiting_table(waiting, now, tz, max_waiting), _recent_table(board, tz, max_recent))


def _header(board: Board, now: datetime, tz: tzinfo, waiting: int,
            records_read: int | None, undecodable: int, error: str | None) -> Panel:
    report = board.compliance()
    counts = board.counts()
    read = f" of {records_read} records read" if records_read is not None else ""
    bad = f", {undecodable} undecodable" if undecodable else ""
    lines = [
        Text.assemble(("simulated time ", "dim"), (now.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z"), "bold")),
        Text(f"outcomes {sum(counts.values())}{read}{bad} · waiting {waiting} · compliance "
             f"{_percent(report.overall.rate)} (met {report.overall.met} / breached {report.overall.breached})"),
        Text(" · ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "no outcomes yet", style="dim"),
    ]
    if report.by_team:
        lines.append(Text("by team: " + " · ".join(f"{t} {_percent(c.rate)}" for t, c in report.by_team.items())))
    if error:
        lines.append(Text(f"consumer: {error} (retrying)", style="bold red"))
    return Panel(Group(*lines), title="leadsla · lead-handoff SLA", title_align="left")


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _waiting_table(leads: list[WaitingLead], now: datetime, tz: tzinfo, limit: int) -> Table:
    hidden = max(0, len(leads) - limit)
    table = Table(title=f"Waiting for first contact ({len(leads)})", title_justify="left", expand=True,
                  caption=f"… and {hidden} more" if hidden else None, caption_justify="left")
    for column in ("lead", "team", "rep", "segment", "deadline", "time left", "state"):
        table.add_column(column, no_wrap=True)
    for lead in leads[:limit]:
        table.add_row(lead.lead_id, lead.team, lead.owner_rep, lead.segment,
                      lead.deadline_at.astimezone(tz).strftime("%a %H:%M"), time_left(lead.deadline_at, now),
                      state_label(lead.state), style=STATE_STYLES.get(lead.state.split()[0], ""))
    return table


def _recent_table(board: Board, tz: tzinfo, limit: int) -> Table:
    table = Table(title="Latest outcomes", title_justify="left", expand=True)
    for column in ("time", "kind", "lead", "team", "rep", "detail"):
        table.add_column(column, no_wrap=column != "detail")
    for outcome in reversed(board.recent(limit)):  # newest on top
        style = "red" if outcome.kind in ("breached", "escalated", "depth_breached") else ""
        table.add_row(stamp(outcome.at, tz), label(outcome.kind), outcome.lead_id, outcome.team,
                      outcome.owner_rep, detail(outcome, tz), style=style)
    return table


def decode(records: Iterable[ConsumerRecord]) -> tuple[list[Outcome], int]:
    """Outcomes from raw records, and how many were not outcomes (skipped, counted)."""
    outcomes: list[Outcome] = []
    bad = 0
    for record in records:
        try:
            outcomes.append(Outcome.model_validate_json(record.value or b""))
        except ValidationError:
            bad += 1
    return outcomes, bad


# -- the live view ----------------------------------------------------------------------


class LiveView:
    """Folds the outcomes topic into a Board in a background thread and shows it."""

    def __init__(
        self, bootstrap: str, topic: str, clock: Clock, stop: threading.Event, *,
        console: Console | None = None, tz: tzinfo = DEMO_TIMEZONE, plain: bool | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.clock = clock
        self.board = Board()
        self.console = console or Console()
        self.tz = tz
        self.plain = (not self.console.is_terminal) if plain is None else plain
        self.records_read = 0
        self.undecodable = 0
        self.error: str | None = None
        self._stop_event = stop
        self._lock = threading.Lock()  # the consumer writes the board while Live reads it
        self._positions: dict[int, int] = {}  # partition -> next offset, to resume after an error
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="leadsla-view", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def renderable(self) -> RenderableType:
        """The current frame; never raises (it runs in Live's refresh thread)."""
        height = self.console.size.height
        budget = max(6, height - 17)  # rows left once the header and table chrome are drawn
        recent = min(8, max(3, budget // 3))
        try:
            with self._lock:
                return render(self.board, self.clock.now(), tz=self.tz, records_read=self.records_read,
                              undecodable=self.undecodable, error=self.error,
                              max_waiting=max(3, budget - recent), max_recent=recent)
        except Exception as error:  # noqa: BLE001 - a broken frame must not end the view
            return Text(f"leadsla view: cannot render: {error!r}", style="bold red")

    # -- the thread --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            if self.plain:
                self._consume()
                return
            with Live(console=self.console, get_renderable=self.renderable,
                      refresh_per_second=REFRESH_PER_SECOND, transient=False):
                self._consume()
        except Exception as error:  # noqa: BLE001 - the view is optional, the pipeline is not
            self._say(f"leadsla view: stopped after an unexpected error: {error!r}")

    def _consume(self) -> None:
        """Read until stopped; on any consumer error, show it and start over from
        the positions reached (not from the beginning: that would re-count)."""
        while not self._stop_event.is_set():
            consumer: KafkaConsumer | None = None
            try:
                consumer = self._connect()
                self._set_error(None)
                self._poll_until_stopped(consumer)
            except Exception as error:  # noqa: BLE001 - shown, then retried
                self._set_error(describe(error))
                self._stop_event.wait(RETRY_S)
            finally:
                if consumer is not None:
                    _close_quietly(consumer)

    def _connect(self) -> KafkaConsumer:
        consumer = KafkaConsumer(
            bootstrap_servers=self.bootstrap, client_id=CLIENT_ID, group_id=None,
            enable_auto_commit=False, allow_auto_create_topics=False, auto_offset_reset="earliest",
            bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,
        )
        try:
            partitions = consumer.partitions_for_topic(self.topic)
            if not partitions:
                raise LookupError(f"waiting for topic {self.topic!r}")
            tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            for tp in tps:
                if tp.partition in self._positions:
                    consumer.seek(tp, self._positions[tp.partition])
            return consumer
        except Exception:
            _close_quietly(consumer)
            raise

    def _poll_until_stopped(self, consumer: KafkaConsumer) -> None:
        while not self._stop_event.is_set():
            for tp, records in consumer.poll(timeout_ms=POLL_MS).items():
                self._feed(records)
                self._positions[tp.partition] = records[-1].offset + 1

    def _feed(self, records: list[ConsumerRecord]) -> None:
        outcomes, bad = decode(records)
        with self._lock:
            self.records_read += len(records)
            self.undecodable += bad
            for outcome in outcomes:
                before = self.board.accepted
                self.board.apply(outcome)
                if self.plain and self.board.accepted > before and outcome.kind != "opened":
                    self._say(plain_line(outcome, self.tz))

    def _set_error(self, error: str | None) -> None:
        if self.plain and error and error != self.error:
            self._say(f"leadsla view: {error} (retrying every {RETRY_S:g}s)")
        self.error = error

    def _say(self, line: str) -> None:
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)


def describe(error: BaseException) -> str:
    text = str(error)
    name = type(error).__name__
    return text if text.startswith(name) else f"{name}: {text}"


def _close_quietly(consumer: KafkaConsumer) -> None:
    try:
        consumer.close(autocommit=False)
    except Exception:  # noqa: BLE001 - closing a broken consumer may fail too
        pass
