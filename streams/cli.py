"""The ``leadsla`` command: one entry point, subcommands.

    leadsla run [--simulate]     broker (embedded unless --broker), worker, metrics, live view
    leadsla worker               a worker against a configured broker (scale out by starting more)
    leadsla evaluate             the same core over a JSONL file of events
    leadsla simulate             realistic traffic into a broker's input topics
    leadsla bench                throughput of the pipeline against the raw consumer
    leadsla bench-core           the pure core: cost per event by history, memory per lead, replay rate
    leadsla dashboards           regenerate the Grafana dashboards and provisioning from the policy
    leadsla bench-alerts         latency from a lead's deadline to the page at an Alertmanager webhook
    leadsla generate-alerts      Prometheus rules and an example alertmanager.yml from the policy
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import datetime
from importlib import import_module
from pathlib import Path

from streams.commands.artefacts import add_generator
from streams.runtime.settings import Settings, settings_from_env


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
    _add_core_bench(commands)
    _add_dashboards(commands)
    _add_alert_commands(commands)
    return parser


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--broker", help="Kafka bootstrap host:port (default: $LEADSLA_BROKER)")
    command.add_argument("--policy", type=Path, help="policy file (default: the shipped example)")
    command.add_argument("--alertmanager", action="append", metavar="URL",
                         help="send alerts to this Alertmanager (repeat for replicas; default: "
                              "$LEADSLA_ALERTMANAGERS, else the console)")


def _settings(args: argparse.Namespace) -> Settings:
    settings = settings_from_env()
    if getattr(args, "broker", None):
        settings = settings.but(broker=args.broker)
    if getattr(args, "policy", None):
        settings = settings.but(policy_path=args.policy)
    if getattr(args, "alertmanager", None):
        settings = settings.but(alertmanagers=tuple(args.alertmanager))
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
    from streams.commands.runner import RunOptions, run_pipeline

    options = RunOptions(simulate=args.simulate, speed=args.speed, leads_per_hour=args.leads_per_hour,
                         bad_rate=args.bad_rate, seconds=args.seconds, view=not args.no_view)
    return run_pipeline(_settings(args), options)


def _add_worker(commands) -> None:
    command = commands.add_parser("worker", help="run one worker against a configured broker")
    _common(command)
    command.set_defaults(handler=lambda args: _worker(args))


def _worker(args: argparse.Namespace) -> int:
    from streams.commands.runner import run_worker_only

    settings = _settings(args)
    return _broker_missing("worker") if settings.broker is None else run_worker_only(settings)


def _broker_missing(command: str) -> int:
    print(f"leadsla {command} needs a broker: --broker HOST:PORT or LEADSLA_BROKER", file=sys.stderr)
    return 2


def _add_evaluate(commands) -> None:
    command = commands.add_parser("evaluate", help="evaluate recorded events offline (a JSONL file or the input topics)")
    command.add_argument("--policy", type=Path, help="policy file (default: the shipped example)")
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--events", type=Path, help="JSONL file, one event per line ('-': stdin)")
    source.add_argument("--broker", help="read the input topics of this Kafka (host:port) instead")
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
    from streams.commands.evaluation import evaluate_records
    from streams.runtime.policy_source import load_policy

    policy = load_policy(args.policy)
    progress = lambda count: print(f"leadsla: {count} events evaluated...", file=sys.stderr, flush=True)  # noqa: E731
    with (args.output.open("w") if args.output else contextlib.nullcontext(sys.stdout)) as out:
        write = lambda outcome: out.write(outcome.model_dump_json(exclude_none=True) + "\n")  # noqa: E731
        report = evaluate_records(_evaluation_records(args), policy, args.as_of, progress, sink=write)
    for where, reason in report.rejected:
        print(f"{args.events}:{where}: rejected: {reason}" if args.events else f"{where}: rejected: {reason}",
              file=sys.stderr)
    summary = dict(events=report.events, outcomes=report.outcome_count, rejected=len(report.rejected),
                   duplicates=report.duplicates, after_as_of=report.after_as_of)
    print(f"evaluated {json.dumps(summary)}", file=sys.stderr)
    return 0


def _evaluation_records(args: argparse.Namespace):
    from streams.commands.evaluation import file_records, topic_records
    from streams.runtime.app import KIND_BY_TOPIC_FIELD

    if args.broker:
        topics = _settings(args).topics
        cluster = _settings(args).kafka  # the --broker given, with the LEADSLA_KAFKA_* security
        return topic_records(cluster, {getattr(topics, f): k for f, k in KIND_BY_TOPIC_FIELD.items()})
    return file_records(sys.stdin if str(args.events) == "-" else _open_events(args.events))


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
    from streams.commands.runner import simulate_only

    settings = _settings(args)
    if settings.broker is None:
        return _broker_missing("simulate")
    return simulate_only(settings, args.speed, args.leads_per_hour, args.count)


def _add_bench(commands) -> None:
    command = commands.add_parser("bench", help="measure pipeline throughput on the embedded broker")
    command.add_argument("--events", type=int, default=100_000)
    command.add_argument("--leads", type=int, default=10_000)
    command.set_defaults(handler=lambda args: _developer_tool("tools.bench.pipeline").run_benchmark(
        args.events, args.leads))


def _add_core_bench(commands) -> None:
    command = commands.add_parser("bench-core", help="the pure core's growth, memory per lead and replay rate")
    command.add_argument("--events", type=int, default=200_000, help="events replayed by evaluate")
    command.set_defaults(handler=lambda args: _developer_tool("tools.bench.core").run_core_benchmark(args.events))


def _add_alert_commands(commands) -> None:
    bench = commands.add_parser("bench-alerts", help="deadline-to-webhook latency of breach pages")
    bench.add_argument("--leads", type=int, default=40, help="probe leads whose deadlines pass")
    bench.add_argument("--background-eps", type=float, default=100.0, help="background events per second")
    bench.set_defaults(handler=lambda args: _developer_tool("tools.bench.alerts").run_alert_benchmark(
        args.leads, args.background_eps))
    add_generator(commands, "generate-alerts", "alerts", "write Prometheus rules and alertmanager.yml",
                  lambda: import_module("alerts.generate").generated_files)


def _add_dashboards(commands) -> None:
    add_generator(commands, "dashboards", "grafana", "regenerate the Grafana dashboards and provisioning",
                  lambda: import_module("grafana.generate").generated_files)


def _developer_tool(module: str):
    """A module of the checkout's tools/ folder. Developer tools are not installed with leadsla:
    they are found beside the code of an editable install (``pip install -e .``, as scripts/ do)."""
    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "tools" / "__init__.py").is_file():
        raise SystemExit("leadsla: benchmarks are developer tools, not installed with leadsla; run them from "
                         "a clone of the repository (scripts/run or scripts/test set it up)")
    if str(checkout) not in sys.path:
        sys.path.append(str(checkout))  # appended: the installed packages keep precedence
    return import_module(module)


if __name__ == "__main__":
    sys.exit(main())
