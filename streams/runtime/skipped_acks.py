"""No offset is committed for a record Faust skipped without processing it.

Faust's stream loop skips a record taken from an agent's queue while flow control is
suspended (a rebalance or the stop is under way) or one fetched under an earlier consumer
generation, and then *acks* it like a processed one (``Stream._py_aiter``: "we want to ack
the filtered out message"). The next commit, the one a rebalance or the stop makes, then
moves past a record no agent has seen: lost for good, since the next owner starts after it.

``AckGuard`` wraps the consumer's ``ack`` with Faust's own skip test. A record
processed by an agent is acked right after it, with flow still active and its generation
current; a skipped one is not acked, so no commit passes it and it is read again (Faust
seeks to the committed offsets after every rebalance; a restarted worker starts there).
"""

from __future__ import annotations

import logging

import faust

log = logging.getLogger("leadsla.acks")


def was_skipped(app: faust.App, message) -> bool:
    """Faust's reason to skip a record (``Stream._py_aiter``), asked when it is acked."""
    return not app.flow_control.is_active() or message.generation_id != app.consumer_generation_id


class AckGuard:
    """The consumer's ``ack``, refusing records Faust skipped and records the tracker set aside."""

    def __init__(self, app: faust.App) -> None:
        self.app = app
        self.consumer = app.consumer
        self._ack = self.consumer.ack
        self._aside: set[tuple] = set()
        self.consumer.ack = self.ack

    def set_aside(self, message) -> None:
        """``message`` was not processed and comes round again: its ack must not count."""
        self._aside.add((message.tp, message.offset))

    def take_back(self, tp, offset: int) -> None:
        """Forget the acks of ``tp`` from ``offset`` on: its records are read again. (Faust
        commits past a one-record hole at the head of its acks: ``_new_offset`` tests
        ``min(acked) - committed > 1``.)"""
        acked = [o for o in self.consumer._acked.get(tp, ()) if o < offset]
        self.consumer._acked[tp] = acked
        self.consumer._acked_index[tp] = set(acked)

    def ack(self, message) -> bool:
        if (message.tp, message.offset) in self._aside:
            self._aside.discard((message.tp, message.offset))
            return self._refuse(message)
        if was_skipped(self.app, message):
            log.info("not committing %s[%d]@%d: skipped unprocessed during a rebalance or stop; "
                     "it is read again", message.topic, message.partition, message.offset)
            return self._refuse(message)
        return self._ack(message)

    def _refuse(self, message) -> bool:
        self.consumer.unacked.discard(message)  # nothing waits for it: it is read again
        return False
