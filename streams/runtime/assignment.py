"""Which partitions of a topic this worker owns right now (Faust's consumer assignment).

A worker reports and re-sends only for what it owns: standby copies of other workers'
tables sit in the same stores and are not ours to act on.
"""

from __future__ import annotations

import faust


def owned_partitions(app: faust.App, topic: str) -> set[int]:
    return {tp.partition for tp in app.consumer.assignment() if tp.topic == topic}
