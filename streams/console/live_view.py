"""The live terminal view of ``leadsla run``: the outcomes topic, as a board, in its own thread.

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
from datetime import tzinfo

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from pydantic import ValidationError
from rich.console import Console, RenderableType
from rich.live import Live
from rich.text import Text

from models.outcomes import Outcome
from streams.console.board import Board
from streams.console.formatting import plain_line
from streams.console.screen import render
from streams.kafka.clients import open_client
from streams.kafka.cluster import KafkaCluster
from streams.runtime.clock import DEMO_TIMEZONE, Clock

REFRESH_PER_SECOND = 2
POLL_MS = 250  # also bounds how long stop() waits for the consumer loop
RETRY_S = 2.0
BOOTSTRAP_TIMEOUT_MS = 5_000  # kafka-python waits 30s by default: too long to report, or to stop
CLIENT_ID = "leadsla-view"


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
        self, bootstrap: str | KafkaCluster, topic: str, clock: Clock, stop: threading.Event, *,
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
        consumer = open_client(
            KafkaConsumer, self.bootstrap, client_id=CLIENT_ID, group_id=None,
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
