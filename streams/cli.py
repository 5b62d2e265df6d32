"""The ``leadsla`` command: one entry point, subcommands.

    leadsla run [--simulate]     broker (embedded unless --broker), worker, metrics, live view
    leadsla worker               a worker against a configured broker (scale out by starting more)
    leadsla evaluate             the same core over a JSONL file of events
    leadsla goals                a month's marketing goal per goal group, learned from past leads and deals
    leadsla report               a period's compliance report (HTML, Markdown, CSV, JSON)
    leadsla digest               one day's short summary for both teams, optionally posted to a webhook
    leadsla simulate             realistic traffic into a broker's input topics
    leadsla bench                throughput of the pipeline against the raw consumer
    leadsla bench-core           the pure core: cost per event by history, memory per lead, replay rate
    leadsla dashboards           regenerate the Grafana dashboards and provisioning from the policy
    leadsla bench-long-run       a live worker's tracked leads and memory over weeks of simulated traffic
    leadsla bench-alerts         latency from a lead's deadline to the page at an Alertmanager webhook
    leadsla generate-alerts      Prometheus rules and an example alertmanager.yml from the policy
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from importlib import import_module, metadata
from pathlib import Path

from models.policy import WINDOW_MONTHS
from models.sales_cycle import MAX_SALES_CYCLE_MONTHS
from streams.commands.arguments import aware_time, count_between, duration, month, months_or_auto, \
    positive_count, positive_number, share
from streams.commands.artefacts import add_generator
from streams.commands.environment_help import environment_epilog
from streams.commands.failures import EXIT_USAGE, UserError, run_reporting_failures
from streams.commands.report_arguments import add_digest, add_report
from streams.runtime.settings import Settings, settings_from_env

POLICY_HELP = "policy file or folder of dated versions (default: $LEADSLA_POLICY, else the shipped example)"
EXIT_CODES = """exit status: 0 done; 1 evaluate or goals rejected records (see --allow-rejects); 2 a flag, setting,
policy or file must change; 3 a broker or port cannot be reached or used; 130 interrupted; 141 the
output's reader went away (| head)"""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    return run_reporting_failures(lambda: args.handler(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadsla", description="Lead-handoff SLA monitor on Kafka.",
                                     epilog=f"{environment_epilog()}\n\n{EXIT_CODES}",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"leadsla {_version()}")
    commands = parser.add_subparsers(title="commands")
    _add_run(commands)
    _add_worker(commands)
    _add_evaluate(commands)
    _add_goals(commands)
    _add_report(commands)
    _add_simulate(commands)
    _add_bench(commands)
    _add_core_bench(commands)
    _add_long_run_bench(commands)
    _add_dashboards(commands)
    _add_alert_commands(commands)
    return parser


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--broker", help="Kafka bootstrap host:port (default: $LEADSLA_BROKER)")
    command.add_argument("--policy", type=Path, help=POLICY_HELP)
    command.add_argument("--alertmanager", action="append", metavar="URL",
                         help="send alerts to this Alertmanager (repeat for replicas; default: "
                              "$LEADSLA_ALERTMANAGERS, else the console)")


def _default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _version() -> str:
    try:
        return metadata.version("leadsla")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _settings(args: argparse.Namespace) -> Settings:
    try:
        settings = settings_from_env()
    except ValueError as error:  # the message names the variable and the value
        raise UserError(str(error)) from None
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
    command.add_argument("--speed", type=positive_number, default=60.0,
                         help="simulated seconds per real second (default 60: an hour a minute)")
    command.add_argument("--leads-per-hour", type=positive_number, default=40.0)
    command.add_argument("--bad-rate", type=share, default=0.01,
                         help="share of broken records simulated, 0 to 1 (default 0.01)")
    command.add_argument("--seconds", type=positive_number, help="stop after this many real seconds")
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
    raise UserError(f"{command} needs a broker: --broker HOST:PORT or LEADSLA_BROKER")


def _add_evaluate(commands) -> None:
    command = commands.add_parser("evaluate", help="evaluate recorded events offline (a JSONL file or the input topics)")
    command.add_argument("--policy", type=Path, help=POLICY_HELP)
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--events", type=Path, help="JSONL file, one event per line ('-': stdin)")
    source.add_argument("--broker", help="read the input topics of this Kafka (host:port) instead")
    command.add_argument("--as-of", type=aware_time, help="decide everything due by this time (ISO 8601 with zone)")
    command.add_argument("--output", type=Path, help="write outcomes here (default: stdout)")
    command.add_argument("--jobs", type=positive_count, default=_default_jobs(),
                         help="processes to split the leads over (default: the machine's cores, "
                              f"{_default_jobs()} here; output grouped by lead group when > 1)")
    command.add_argument("--allow-rejects", action="store_true",
                         help="exit 0 even when records were rejected (default: exit 1, after reporting them)")
    command.set_defaults(handler=lambda args: _evaluate(args))


def _evaluate(args: argparse.Namespace) -> int:
    from streams.commands.evaluate_command import run_evaluate

    return run_evaluate(args, _settings(args))  # the policy setting, whatever the source


def _add_goals(commands) -> None:
    command = commands.add_parser("goals", help="a month's marketing goal per goal group, from past leads and deals")
    command.add_argument("--month", type=month, required=True, help="the goal's month, YYYY-MM")
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--events", type=Path, help="JSONL file of conversions and deals ('-': stdin)")
    source.add_argument("--broker", help="read the conversions and deals topics of this Kafka (host:port)")
    command.add_argument("--policy", type=Path, help=POLICY_HELP)
    command.add_argument("--window-months", type=count_between(*WINDOW_MONTHS),
                         help="months learned from (default: the policy's goals.closed_loop, else 6)")
    command.add_argument("--sales-cycle-months", type=months_or_auto(MAX_SALES_CYCLE_MONTHS),
                         help="the average sales cycle: the window ends this many months + 1 before --month; "
                              "auto: the mean time from first conversion to won deal over the 12 months before "
                              "--month (default: the policy's goals.closed_loop, else 3)")
    command.add_argument("--format", choices=("table", "json"), default="table")
    command.add_argument("--allow-rejects", action="store_true",
                         help="exit 0 even when records were rejected (default: exit 1, after reporting them)")
    command.set_defaults(handler=lambda args: _goals(args))


def _goals(args: argparse.Namespace) -> int:
    from streams.commands.goals_command import run_goals

    return run_goals(args, _settings(args))  # the policy setting, whatever the source
def _add_report(commands) -> None:
    add_report(commands, _settings)
    add_digest(commands, _settings)


def _add_simulate(commands) -> None:
    command = commands.add_parser("simulate", help="produce simulated traffic to a broker")
    command.add_argument("--broker", help="Kafka bootstrap host:port (default: $LEADSLA_BROKER)")
    command.add_argument("--speed", type=positive_number, default=1.0, help="simulated seconds per real second")
    command.add_argument("--leads-per-hour", type=positive_number, default=40.0)
    command.add_argument("--count", type=positive_count, help="stop after this many records")
    command.set_defaults(handler=lambda args: _simulate(args))


def _simulate(args: argparse.Namespace) -> int:
    from streams.commands.runner import simulate_only

    settings = _settings(args)
    if settings.broker is None:
        return _broker_missing("simulate")
    return simulate_only(settings, args.speed, args.leads_per_hour, args.count)


def _add_bench(commands) -> None:
    command = commands.add_parser("bench", help="measure pipeline throughput on the embedded broker")
    command.add_argument("--events", type=positive_count, default=100_000)
    command.add_argument("--leads", type=positive_count, default=10_000)
    command.set_defaults(handler=lambda args: _developer_tool("tools.bench.pipeline").run_benchmark(
        args.events, args.leads))


def _add_core_bench(commands) -> None:
    command = commands.add_parser("bench-core", help="the pure core's growth, memory per lead and replay rate")
    command.add_argument("--events", type=positive_count, default=200_000, help="events replayed by evaluate")
    command.set_defaults(handler=lambda args: _developer_tool("tools.bench.core").run_core_benchmark(args.events))


def _add_long_run_bench(commands) -> None:
    command = commands.add_parser("bench-long-run", help="a live worker's tracked leads and memory over a long run")
    command.add_argument("--minutes", type=positive_number, default=10.0, help="real minutes to run")
    command.add_argument("--speed", type=positive_number, default=3600.0,
                         help="simulated seconds per real second (default 3600: an hour a second)")
    command.add_argument("--leads-per-hour", type=positive_number, default=40.0)
    command.add_argument("--retire-after", type=duration, default=timedelta(days=2),
                         help="the policy's retire_after for the run (default 2d)")
    command.set_defaults(handler=lambda args: _developer_tool("tools.bench.long_run").run_long_run(
        args.minutes, args.speed, args.leads_per_hour, args.retire_after))


def _add_alert_commands(commands) -> None:
    bench = commands.add_parser("bench-alerts", help="deadline-to-webhook latency of breach pages")
    bench.add_argument("--leads", type=positive_count, default=40, help="probe leads whose deadlines pass")
    bench.add_argument("--background-eps", type=positive_number, default=100.0, help="background events per second")
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
