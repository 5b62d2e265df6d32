"""Records a fetch brings back across a rebalance are read again, not lost.

aiokafka's ``fetched_records`` can wait out a whole rebalance: a call made before it
returns after it, handed Faust's shared set of active partitions, which is empty while
everything is paused, and an empty set means every partition. So it drains whatever the
fetcher holds, e.g. the changelog records just fetched for recovery, moving aiokafka's
positions past them, and Faust, its flow stopped, drops them. Faust then seeks only the
partitions with a committed offset, and changelogs commit none: recovery waited for
records it would never see ("No event received for active tp ... since recovery start")
and the worker stalled. Seen about once in 20-30 runs of a worker taking over under heavy
CPU contention; forced every time by a 0.3 s pause of the worker after recovery's seek.

The guard: a fetch that returns after the assignment changed, or while the flow is
stopped, rewinds each partition it returned to its first record and hands over nothing;
the records come again with the next fetch.
"""

from __future__ import annotations

import logging

log = logging.getLogger("leadsla.consumer")


class StaleFetchGuard:
    """A mixin for Faust's aiokafka consumer thread (over ``_fetch_records``)."""

    async def _fetch_records(self, consumer, active_partitions, timeout=None, max_records=None):
        before = _assignment(consumer)
        records = await super()._fetch_records(consumer, active_partitions, timeout=timeout, max_records=max_records)
        if records and (_assignment(consumer) is not before or not self.consumer.flow_active):
            rewound = rewind(consumer, records)
            log.info("a fetch returned across a rebalance; read again from: %s", ", ".join(rewound))
            return {}
        return records


def _assignment(consumer):
    subscription = consumer._subscription.subscription
    return subscription.assignment if subscription is not None else None


def rewind(consumer, records) -> list[str]:
    """Seek each partition back to the first record fetched; one no longer assigned is skipped."""
    rewound = []
    for tp, batch in records.items():
        if not batch:
            continue
        try:
            consumer.seek(tp, batch[0].offset)
        except Exception:  # noqa: BLE001 - IllegalStateError: not assigned any more, its next owner reads it
            continue
        rewound.append(f"{tp.topic}[{tp.partition}]@{batch[0].offset}")
    return rewound
