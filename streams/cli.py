"""The ``leadsla`` command: one entry point, subcommands.

    leadsla run [--simulate]     broker (embedded unless --broker), worker, metrics, live view
    leadsla worker               a worker against a configured broker (scale out by starting more)
    leadsla evaluate             the same core over a JSONL file of events
    leadsla simulate             realistic traffic into a broker's input topics
    leadsla bench                throughput of the pipeline against the raw consumer
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from streams.settings import Settings, settings_from_env


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return args.handler(args) or 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadsla", description="Lead-handoff SLA monitor on Kafka.")
    commands = parser.add_subparsers(title="commands")
    _add_run(commands)
    _add_worker(commands)
    _add_evaluate(commands)
    _add_simulate(commands)
    _add_bench(commands)
    return parser


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--broker", help="Kafka bootstrap host:port (default: $LEADSLA_BROKER)")
    command.add_argument("--policy", type=Path, help="policy file (default: the shipped example)")


def _settings(args: argparse.Namespace) -> Settings:
    settings = settings_from_env()
    if getattr(args, "broker", None):
        settings = settings.but(broker=args.broker)
    if getattr(args, "policy", None):
        settings = settings.but(policy_path=args.policy)
    return settings


def _add_run(commands) -> None:
    command = commands.add_parser("run", help="run the pipeline (embedded broker unless --broker)")
    _common(command)
    command.add_argument("--simulate", action="store_true", help="feed simulated traffic")
    command.add_argument("--speed", type=float, default=60.0,
                         help="simulated seconds per real second (default 60: an hour a minute)")
    command.add_argument("--leads-per-hour", type=float, default=40.0)
    command.add_argument("--bad-rate", type=float, default=0.01, help="share of broken records simulated")
    command.add_argument("--seconds", type=float, help="stop after this many real seconds")
    command.add_argument("--no-view", action="store_true", help="no live terminal view")
    command.set_defaults(handler=lambda args: _run(args))


def _run(args: argparse.Namespace) -> int:
    from streams.runner import RunOptions, run_pipeline

    options = RunOptions(simulate=args.simulate, speed=args.speed, leads_per_hour=args.leads_per_hour,
                         bad_rate=args.bad_rate, seconds=args.seconds, view=not args.no_view)
    return run_pipeline(_settings(args), options)


def _add_worker(commands) -> None:
    command = commands.add_parser("worker", help="run one worker against a configured broker")
    _common(command)
    command.set_defaults(handler=lambda args: _worker(args))


def _worker(args: argparse.Namespace) -> int:
    from streams.runner import run_worker_only

    settings = _settings(args)
    if settings.broker is None:
        print("leadsla worker needs a broker: --broker HOST:PORT or LEADSLA_BROKER", file=sys.stderr)
        return 2
    return run_worker_only(settings)


def _add_evaluate(commands) -> None:
    command = commands.add_parser("evaluate", help="evaluate a JSONL file of events offline")
    command.add_argument("--policy", type=Path, help="policy file (default: the shipped example)")
    command.add_argument("--events", type=Path, required=True, help="JSONL file, one event per line ('-': stdin)")
    command.add_argument("--as-of", type=_aware_time, help="decide everything due by this time (ISO 8601 with zone)")
    command.add_argument("--output", type=Path, help="write outcomes here (default: stdout)")
    command.set_defaults(handler=lambda args: _evaluate(args))


def _aware_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; add Z or +HH:MM")
    return moment


def _evaluate(args: argparse.Namespace) -> int:
    from streams.evaluate import evaluate
    from streams.policy_source import load_policy

    policy = load_policy(args.policy)
    source = sys.stdin if str(args.events) == "-" else _open_events(args.events)
    report = evaluate(source, policy, args.as_of)
    lines = [o.model_dump_json(exclude_none=True) for o in report.outcomes]
    text = "\n".join(lines) + ("\n" if lines else "")
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    for number, reason in report.rejected:
        print(f"{args.events}:{number}: rejected: {reason}", file=sys.stderr)
    summary = dict(events=report.events, outcomes=len(report.outcomes), rejected=len(report.rejected),
                   duplicates=report.duplicates, after_as_of=report.after_as_of)
    print(f"evaluated {json.dumps(summary)}", file=sys.stderr)
    return 0


def _open_events(path: Path):
    try:
        return path.open()
    except OSError as error:
        raise SystemExit(f"cannot read the events file: {error}") from None


def _add_simulate(commands) -> None:
    command = commands.add_parser("simulate", help="produce simulated traffic to a broker")
    command.add_argument("--broker", help="Kafka bootstrap host:port (default: $LEADSLA_BROKER)")
    command.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    command.add_argument("--leads-per-hour", type=float, default=40.0)
    command.add_argument("--count", type=int, help="stop after this many records")
    command.set_defaults(handler=lambda args: _simulate(args))


def _simulate(args: argparse.Namespace) -> int:
    from streams.runner import simulate_only

    settings = _settings(args)
    if settings.broker is None:
        print("leadsla simulate needs a broker: --broker HOST:PORT or LEADSLA_BROKER", file=sys.stderr)
        return 2
    return simulate_only(settings, args.speed, args.leads_per_hour, args.count)


def _add_bench(commands) -> None:
    command = commands.add_parser("bench", help="measure pipeline throughput on the embedded broker")
    command.add_argument("--events", type=int, default=100_000)
    command.add_argument("--leads", type=int, default=10_000)
    command.set_defaults(handler=lambda args: _bench(args))


def _bench(args: argparse.Namespace) -> int:
    from streams.bench import run_benchmark

    return run_benchmark(args.events, args.leads)


if __name__ == "__main__":
    sys.exit(main())
