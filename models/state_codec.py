"""Lead state to and from compact JSON-ready values, for the changelog and tests.

Times are whole microseconds since the epoch (exact, unlike float seconds). Field names
are one letter: a changelog holds one record per lead per flush, so bytes matter.
Pure: values in, values out; the runtime does the JSON and the I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from models.attempts import AttemptSummary, InPeriod, shared_counts
from models.lead_records import Attempt, conversion, handoff, label
from models.lead_state import LeadState
from models.retirement import Retired

FORMAT = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)


class StateFormatError(ValueError):
    """A changelog value this version cannot read."""


def micros(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - _EPOCH) // _MICRO


def instant(value: int | None) -> datetime | None:
    return None if value is None else _EPOCH + value * _MICRO


def state_to_value(state: LeadState | Retired) -> dict:
    if isinstance(state, Retired):
        return {"v": FORMAT, "retired": 1, "l": state.lead_id, "p": state.partition, "n": state.cycles,
                "c": state.corrections, "z": micros(state.quiet_since)}
    return {"v": FORMAT, "l": state.lead_id, "p": state.partition,
            "s": [_record_to_value(r) for r in state.spine], "q": [_record_to_value(a) for a in state.pending],
            "m": [[n, _summary_to_value(s)] for n, s in state.summaries], "r": list(state.recent_ids),
            "a": list(state.announced), "c": state.corrections, "f": state.first_cycle,
            "e": micros(state.latest_event_at), "d": micros(state.next_due),
            **({"w": [list(v) for v in state.versions]} if state.versions else {})}


def state_from_value(value: dict) -> LeadState | Retired:
    if not isinstance(value, dict) or value.get("v") != FORMAT:
        raise StateFormatError(f"unknown lead-state format: {str(value)[:80]}")
    if value.get("retired"):
        return Retired(value["l"], value["p"], value["n"], value["c"], instant(value["z"]))
    return LeadState(
        lead_id=value["l"], partition=value["p"], spine=tuple(_record_from_value(r) for r in value["s"]),
        pending=tuple(_record_from_value(r) for r in value["q"]),
        summaries=tuple((n, _summary_from_value(s)) for n, s in value["m"]), recent_ids=tuple(value["r"]),
        announced=tuple(label(a) for a in value["a"]), corrections=value["c"], first_cycle=value["f"],
        latest_event_at=instant(value["e"]), next_due=instant(value["d"]),
        versions=tuple((local, version) for local, version in value.get("w", ())))


def _record_to_value(record) -> list:
    tag = {"lead_converted": "c", "handoff": "h", "contact_attempt": "a"}[record.kind]
    return [tag, micros(record.occurred_at), *record[1:]]


def _record_from_value(value: list):
    make = {"c": conversion, "h": handoff, "a": Attempt}[value[0]]
    return make(instant(value[1]), *value[2:])


def _summary_to_value(summary: AttemptSummary) -> list:
    return [micros(summary.first_any), micros(summary.first_human), micros(summary.first_connected),
            [[e.segment, e.attempts, e.human] for e in summary.in_period]]


def _summary_from_value(value: list) -> AttemptSummary:
    return AttemptSummary(instant(value[0]), instant(value[1]), instant(value[2]),
                          shared_counts(tuple(InPeriod(label(e[0]), e[1], e[2]) for e in value[3])))
