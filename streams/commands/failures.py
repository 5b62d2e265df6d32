"""How the ``leadsla`` command fails: one message that names what to fix, an exit code, no traceback.

A user error (a bad flag, setting, policy or file; a broker or port that cannot be
used) is reported in words the user can act on. Anything else is a bug in leadsla
and keeps its traceback, so it can be reported.
"""

from __future__ import annotations

import os
import select
import sys
from typing import Callable

from kafka.errors import KafkaError

from models.policy_file import PolicyError
from streams.kafka.admin import TopicPartitionMismatch
from streams.kafka.broker import BrokerStartError
from streams.kafka.security import KafkaSecurityError
from streams.metrics.endpoint import MetricsEndpointError

EXIT_REJECTED = 1  # evaluate rejected records (its outcomes were still written)
EXIT_USAGE = 2  # the command line, a setting, the policy or a file must change (argparse uses 2 too)
EXIT_UNAVAILABLE = 3  # a broker or a port that cannot be reached or used
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
EXIT_OUTPUT_CLOSED = 141  # the reader of standard output went away (`| head`), as shells report SIGPIPE


class UserError(Exception):
    """A failure the user can fix; ``str()`` is the whole message."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE, *, bare: bool = False) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.bare = bare  # printed as is, without the "leadsla: " prefix


def run_reporting_failures(command: Callable[[], int | None]) -> int:
    """Run ``command``; a user error becomes a message on stderr and its exit code."""
    try:
        return command() or 0
    except KeyboardInterrupt:
        print("leadsla: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        if not _stdout_closed():
            raise  # a socket, not the user's pipe: a bug to report
        # `leadsla goals … | head`: the reader has what it wanted. Stop quietly, as Unix tools do; what
        # is still buffered goes nowhere, so that the interpreter's own flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OUTPUT_CLOSED
    except Exception as error:  # noqa: BLE001 - sorted below: user errors reported, bugs re-raised
        failure = as_user_error(error)
        if failure is None:
            raise
        print(str(failure) if failure.bare else f"leadsla: {failure}", file=sys.stderr, flush=True)
        return failure.exit_code


def _stdout_closed() -> bool:
    """Whether standard output is a pipe whose reader has gone (its write end then polls as an error)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no fd (a test's capture), no poll (not POSIX)
        return False


def as_user_error(error: BaseException) -> UserError | None:
    if isinstance(error, UserError):
        return error
    if isinstance(error, (KafkaSecurityError, MetricsEndpointError)):  # their messages name the settings
        return UserError(str(error))
    if isinstance(error, PolicyError):  # "file:line: field: message", as editors and CI annotate
        return UserError(str(error), bare=True)
    if isinstance(error, TopicPartitionMismatch):
        return UserError(f"{error} (LEADSLA_PARTITIONS sets the count leadsla requires)")
    if isinstance(error, BrokerStartError):
        return UserError(f"the embedded broker did not start: {error}", EXIT_UNAVAILABLE)
    if isinstance(error, KafkaError):
        return UserError(f"Kafka failed: {type(error).__name__}: {error}", EXIT_UNAVAILABLE)
    if isinstance(error, TimeoutError):  # a broker that answers but not in time (topics, offsets)
        return UserError(f"timed out: {error}", EXIT_UNAVAILABLE)
    if isinstance(error, OSError) and error.filename is not None:
        return UserError(f"{error.strerror or error}: {error.filename}")
    return None

