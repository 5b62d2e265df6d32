"""The rep bandwidth dashboard's panels: each rep's load against the attempts a day they can make.

Pure: PromQL over streams.metrics.names (the rep load by measure, the policy capacity,
the live day table of attempts). Load is summed over workers; capacity, the same on every
worker, is taken with ``max``. Reps beyond the label cap show as "other".
"""

from __future__ import annotations

from grafana import queries as q
from grafana.panels import Query, bars, graph
from grafana.queries import TEAMS
from streams.metrics import names

LOAD, CAPACITY = names.REP_LOAD.name, names.REP_CAPACITY.name


def _load(measure: str) -> str:
    return q.gauge(LOAD, by="rep", measure=measure, team=TEAMS)


def _capacity() -> str:
    return q.gauge(CAPACITY, "max", by="rep", team=TEAMS)


def load_panels() -> list:
    needed_share = f"{_load('attempts_needed_per_day')}\n/ on (rep) {_capacity()}"
    return [
        graph("Attempts needed a day vs capacity, per rep", "Attempts still missing to reach the depth target on "
              "each rep's unconnected leads, spread over the days their periods have left, against the attempts "
              "a day the policy says the rep can make.",
              [Query(_load("attempts_needed_per_day"), "{{rep}} needed"),
               Query(_capacity(), "{{rep}} capacity", goal=True)], "short"),
        bars("Load: attempts needed a day / capacity", "Above 100%: the rep cannot keep the follow-up target "
             "with the leads they have.", [Query(needed_share, "{{rep}}")], "percentunit"),
        bars("Leads handed today, per rep", "Assigned or reassigned to the rep today.",
             [Query(_load("handed_today"), "{{rep}}")], "short"),
        bars("Waiting for a first contact, per rep", "Handed-off leads the rep has not contacted yet.",
             [Query(_load("waiting"), "{{rep}}")], "short"),
    ]


def depth_panels() -> list:
    per_lead = f"{_load('attempts_made')}\n/ {_load('unconnected')}"
    live_share = f"{q.gauge(names.LIVE_REP_ATTEMPTS.name, by='rep')}\n/ on (rep) {_capacity()}"
    return [
        graph("Attempts made vs needed on unconnected leads, per rep", "Open follow-up periods: attempts so far "
              "and attempts still missing to reach the target.",
              [Query(_load("attempts_made"), "{{rep}} made"), Query(_load("attempts_needed"), "{{rep}} needed")],
              "short"),
        bars("Depth per rep: attempts per unconnected lead", "Open periods, qualifying attempts.",
             [Query(per_lead, "{{rep}}")], "short"),
        bars("Unconnected leads, per rep", "Open follow-up period, nobody connected yet.",
             [Query(_load("unconnected"), "{{rep}}")], "short"),
        bars("Attempts today / capacity (live table)", "Attempts in the current day window against capacity.",
             [Query(live_share, "{{rep}}")], "percentunit"),
    ]
