"""What a worker knows of its broker, and what it says about it. Fed by the broker watch's probes
(streams.runtime.broker_watch); no I/O here.

Two questions, asked of every probe:

- **Does it answer?** One line when it stops answering, naming when it last did; one when it
  answers again, saying after how long. Nothing in between from here (the client libraries' own
  errors are rate-limited: streams.runtime.log_limits); the gauges say how long it has been away.
- **Is it still the broker the worker stands on?** A topic of the worker's that the broker held and
  holds no longer, or a cluster id that changed, means it came back without the input records, the
  table changelogs and the committed offsets (the embedded broker keeps everything in memory:
  restarted, it comes back empty). Going on would start again from nothing while looking healthy,
  so it is reported as a loss, once, and the worker stops. A cluster id that changed is enough at
  once; a missing topic must be missing from ``CONFIRMING_ANSWERS`` answers in a row, since a
  Kafka broker that has just restarted may answer before it knows every topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence

from streams.kafka.metadata_probe import ClusterView

NAMED = 3  # lost topics named in the message; the rest are counted
CONFIRMING_ANSWERS = 3  # answers in a row without a topic it held, before that is a loss (a second apart)

EMBEDDED_ADVICE = ("The embedded broker keeps everything in memory: restart the stack (scripts/run, or the broker "
                   "and every worker), which creates the topics again, and produce the inputs again.")
KAFKA_ADVICE = ("Restore the topics, or recreate them (a worker started again creates the missing ones, empty) and "
                "produce the inputs again; then start the workers.")


@dataclass
class BrokerState:
    address: str  # the bootstrap servers, as the settings name them
    last_answer_at: float  # Unix time: the start counts (the worker has just reached it to create its topics)
    advice: str = KAFKA_ADVICE  # what to do about a loss
    reachable: bool = True
    cluster_id: str | None = None  # as first answered
    held: tuple[str, ...] = ()  # the watched topics the broker has been seen to hold, in watch order
    answers_without: int = 0  # answers in a row that lacked a topic it held
    lost: str | None = None  # the loss, once found

    def failed(self, reason: str) -> str | None:
        """A probe got no answer: the line to log, if the broker was answering until now."""
        if not self.reachable:
            return None
        self.reachable = False
        return (f"broker {self.address} unreachable since {_utc(self.last_answer_at)} ({reason}), retrying; "
                "outcomes are held until it answers")

    def answered(self, now: float) -> str | None:
        """A probe got an answer: the line to log, if the broker was unreachable until now."""
        away_s, was_away = now - self.last_answer_at, not self.reachable
        self.reachable, self.last_answer_at = True, now
        return f"broker {self.address} reachable again after {away_s:.0f} s" if was_away else None

    def check(self, view: ClusterView, watched: Sequence[str]) -> str | None:
        """The loss, described, if the broker no longer holds what it held; else remembers what it holds."""
        gone = [topic for topic in self.held if topic not in view.topics]
        other_cluster = None not in (self.cluster_id, view.cluster_id) and view.cluster_id != self.cluster_id
        self.answers_without = self.answers_without + 1 if gone else 0
        if other_cluster or self.answers_without >= CONFIRMING_ANSWERS:
            self.lost = loss_message(self.address, gone, self.cluster_id if other_cluster else None,
                                     view.cluster_id, self.advice)
            return self.lost
        self.held = tuple(topic for topic in watched if topic in view.topics or topic in self.held)
        self.cluster_id = self.cluster_id or view.cluster_id
        return None


def loss_message(address: str, gone: Sequence[str], old_cluster: str | None, new_cluster: str | None,
                 advice: str) -> str:
    """One message for the log and the exit: what was lost, the likely cause, what to do."""
    cluster = f"its cluster id changed from {old_cluster} to {new_cluster}" if old_cluster else ""
    if gone:
        what = f"the broker at {address} lost {_topics(gone)} ({' '.join(filter(None, ['restarted empty?', cluster]))})"
    else:
        what = f"the broker at {address} is another cluster now ({cluster}: restarted empty?)"
    return (f"{what}: the input records, table changelogs and committed offsets this worker stood on are gone, "
            f"so it stops rather than start again from nothing. {advice}")


def _topics(gone: Sequence[str]) -> str:
    if len(gone) == 1:
        return f"topic {gone[0]}"
    named = ", ".join(gone[:NAMED])
    return f"topics {named} and {len(gone) - NAMED} more" if len(gone) > NAMED else f"topics {named}"


def _utc(unix_time: float) -> str:
    return datetime.fromtimestamp(unix_time, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
