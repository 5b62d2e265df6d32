"""Each input partition is read from its committed offset on, with no record left out.

Faust resumes a worker's input partitions *before* it seeks them to their committed
offsets (``Recovery.on_recovery_completed``), so records are handed over in the window
between, and then again after the seek; its consumer drops a re-fetched record whose
offset is below the last one it handed over. Under load the first record after the
committed offset can fall through: handed over in neither pass, never processed,
though later records are (seen as a lead's conversion or first call lost after a
SIGTERM and restart).

``ResumeCheck`` holds the tracker to the rule: the first record it handles on a
partition after an assignment is the partition's committed offset. When the committed
offset becomes known (after Faust's seek) and lies before that first record, the
records in between were never handled: the partition is rewound to the committed
offset, and every record until the read comes round to the hole again is set aside (not
processed, not acknowledged, so no commit passes it). Records handled twice are
harmless: the tracker ignores an event it has seen, and its state is what it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Hashable

log = logging.getLogger("leadsla.resume")


@dataclass
class _Rewind:
    start: int  # the committed offset: where the partition is read again from
    end: int  # the first offset handled: the hole is [start, end)
    clean: int = 0  # times the read came round to ``end`` with nothing before it


class ResumeCheck:
    def __init__(self, committed: Callable[[Hashable], int | None],
                 rewind: Callable[[Hashable, int], None]) -> None:
        """``committed(tp)``: the offset the consumer resumed from (its committed offset, or its
        first when nothing was committed: streams.runtime.resume_points), None until the seek
        after the assignment is done; ``rewind(tp, offset)``: read ``tp`` again from ``offset``."""
        self.committed = committed
        self.rewind = rewind
        self._first: dict[Hashable, int] = {}  # the first offset handled since the assignment
        self._checked: set[Hashable] = set()
        self._rewinding: dict[Hashable, _Rewind] = {}

    def admit(self, tp: Hashable, offset: int) -> bool:
        """Whether the record at ``offset`` may be handled now; False: set it aside, it comes again."""
        if tp in self._rewinding:
            return self._during_rewind(tp, offset)
        if tp in self._checked:
            return True
        first = self._first.setdefault(tp, offset)
        committed = self.committed(tp)
        if committed is None:
            return True  # the seek has not been made yet: checked with the first record after it
        self._checked.add(tp)
        if first <= committed:
            return True
        log.warning("%s[%d]: offsets %d to %d were never handed to the tracker after the worker resumed; "
                    "reading the partition again from %d", *_named(tp), committed, first - 1, committed)
        self._rewinding[tp] = _Rewind(committed, first)
        return self._during_rewind(tp, offset)

    def _during_rewind(self, tp: Hashable, offset: int) -> bool:
        """The read again has begun with a record of the hole: from there on it runs in order.
        It can come round to the hole's end with nothing before it: the hole may hold no
        record (a transactional producer's commit marker takes an offset), or Faust's fetch
        loop dropped it again; the second time, the hole is taken as empty. Anything else was
        fetched before the seek, which Faust's fetch loop then undoes: seek again."""
        rewind = self._rewinding[tp]
        if offset < rewind.end:
            del self._rewinding[tp]
            return True
        if offset == rewind.end:
            rewind.clean += 1
            if rewind.clean == 2:
                log.info("%s[%d]: offsets %d to %d hold no record (transaction markers); reading on",
                         *_named(tp), rewind.start, rewind.end - 1)
                del self._rewinding[tp]
                return True
        self.rewind(tp, rewind.start)
        return False
    def forget(self) -> None:
        """After a rebalance: every partition is checked again against where it resumes."""
        self._first.clear()
        self._checked.clear()
        self._rewinding.clear()


def _named(tp) -> tuple[str, int]:
    return tp[0], tp[1]
