"""Where a pipeline event's time goes, from figures taken in the same run.

Two costs are measured directly: Faust handing over one record (the do-nothing agent) and
the pure core on its own (decode, validate and step the tracker in this process, as
``leadsla evaluate`` does, no broker). The pipeline's time per event is set against them;
what is left is the messages it sends and its wiring (ticks, metrics, the resume check).
What a message costs is shown apart (an agent sending one per record): not subtracted,
since the pipeline sends in bursts at commits, partly while Faust's consumer thread waits.
"""

from __future__ import annotations

import time

from tools.bench.rates import Rate


def core_rate(values: list[bytes]) -> Rate:
    """The core over the benchmark's records, in event-time order, with time passing as in a replay."""
    from models.tracker import Tracker
    from streams.kafka.codec import decode_event
    from streams.runtime.policy_source import load_policy

    tracker = Tracker(load_policy(None), {}, {})
    started = time.perf_counter()
    for value in values:
        event = decode_event(value)
        tracker.pass_time(0, event.occurred_at)
        tracker.on_entry(0, event)
    return Rate(len(values), time.perf_counter() - started)


def print_breakdown(nothing: Rate, sender: Rate, core: Rate, pipeline: Rate, messages_per_event: float) -> None:
    """µs per event: Faust's own, the core's, and the remainder (the messages sent and the wiring);
    and what the pipeline may take at the target."""
    per_record, core_us, pipeline_us = (_us(rate) for rate in (nothing, core, pipeline))
    rest = pipeline_us - per_record - core_us
    print("where a pipeline event's time goes (µs per event, figures of this run):")
    rows = [("Faust hands over a record (the do-nothing agent)", per_record),
            ("the core: decode, validate, step (in-process, no broker)", core_us),
            (f"the rest: {messages_per_event:.2f} messages sent, ticks, metrics, resume check", rest)]
    for label, us in rows:
        print(f"  {label:<66}{us:>8.0f}")
    print(f"  {'pipeline':<66}{pipeline_us:>8.0f}")
    print(f"  for reference: an agent sending one message per record takes {_us(sender) - per_record:.0f} µs more "
          "per record than the do-nothing agent")
    print(f"  at the target (0.5× the do-nothing agent) the pipeline may take {2 * per_record:.0f} µs an event, "
          f"{per_record:.0f} of them Faust's own")


def _us(rate: Rate) -> float:
    return 1e6 / rate.per_second if rate.per_second else float("nan")
