"""A Kafka-protocol broker that only speaks TLS, for the end-to-end security tests.

The embedded broker (Tansu 0.6.0) cannot serve TLS itself: its CLI refuses ``--cert``
together with ``--key`` ("cannot be used with"), and either one alone leaves the listener in
plaintext (checked with ``openssl s_client``). So the test terminates TLS in front of it, the
way a load balancer or a managed service's listener does: Tansu listens in plaintext on a
private port and advertises the TLS port, so every connection a client makes, the bootstrap
one and those to the advertised broker alike, goes through the TLS terminator. The terminator
requires a client certificate signed by the test CA (mutual TLS), so a client that skipped
any part of the security settings fails instead of passing unnoticed.

Certificates come from the ``openssl`` command (the ``cryptography`` package is not a
dependency): a CA, a server certificate for ``localhost`` only (so connecting by IP address
fails the host name check), a client certificate, and a second CA nobody trusts.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from streams.kafka.broker import free_port, resolve_tansu_bin
from streams.kafka.cluster import KafkaCluster
from streams.kafka.security import KafkaSecurity

HOST = "localhost"  # the name in the server certificate


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    stranger_ca: Path  # a CA that signed nothing the broker presents

    def client_security(self, **changes) -> KafkaSecurity:
        """Mutual TLS with this CA and client certificate; ``changes`` override fields."""
        fields = dict(security_protocol="SSL", ssl_ca=self.ca, ssl_cert=self.client_cert, ssl_key=self.client_key)
        return KafkaSecurity(**(fields | changes))

    def env(self) -> dict[str, str]:
        """The same as LEADSLA_KAFKA_* variables, for a leadsla process."""
        return {"LEADSLA_KAFKA_SECURITY_PROTOCOL": "SSL", "LEADSLA_KAFKA_SSL_CA": str(self.ca),
                "LEADSLA_KAFKA_SSL_CERT": str(self.client_cert), "LEADSLA_KAFKA_SSL_KEY": str(self.client_key)}


def make_pki(directory: Path) -> Pki:
    # scripts/test installs openssl: its absence is a broken set-up, not a reason to skip.
    assert shutil.which("openssl"), "the openssl command, which makes the test CA, is missing (scripts/test installs it)"
    directory.mkdir(parents=True, exist_ok=True)
    ca = _self_signed_ca(directory, "ca")
    stranger = _self_signed_ca(directory, "stranger-ca")
    server = _signed(directory, "server", ca, f"subjectAltName=DNS:{HOST}\nextendedKeyUsage=serverAuth")
    client = _signed(directory, "client", ca, "extendedKeyUsage=clientAuth")
    return Pki(ca=ca[0], server_cert=server[0], server_key=server[1], client_cert=client[0],
                   client_key=client[1], stranger_ca=stranger[0])


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _new_key(directory: Path, name: str) -> Path:
    key = directory / f"{name}.key"
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(key), cwd=directory)
    return key


def _self_signed_ca(directory: Path, name: str) -> tuple[Path, Path]:
    key, cert = _new_key(directory, name), directory / f"{name}.pem"
    _openssl("req", "-x509", "-new", "-key", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN=leadsla test {name}",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=directory)
    return cert, key


def _signed(directory: Path, name: str, ca: tuple[Path, Path], extensions: str) -> tuple[Path, Path]:
    key, request, cert = _new_key(directory, name), directory / f"{name}.csr", directory / f"{name}.pem"
    extfile = directory / f"{name}.ext"
    extfile.write_text(f"basicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n{extensions}\n")
    _openssl("req", "-new", "-key", str(key), "-out", str(request), "-subj", f"/CN={HOST}", cwd=directory)
    _openssl("x509", "-req", "-in", str(request), "-CA", str(ca[0]), "-CAkey", str(ca[1]), "-CAcreateserial",
             "-out", str(cert), "-days", "2", "-extfile", str(extfile), cwd=directory)
    return cert, key


class TlsTerminator:
    """Accepts TLS on ``port`` (client certificate required) and pipes the plaintext to ``upstream``."""

    def __init__(self, pki: Pki) -> None:
        self.port = free_port()
        self.upstream: int | None = None  # set before the first client connects
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki.ca))
        self._context.load_cert_chain(str(pki.server_cert), str(pki.server_key))
        self._context.verify_mode = ssl.CERT_REQUIRED
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tls-terminator", daemon=True)
        self._server: asyncio.base_events.Server | None = None

    def start(self) -> None:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", self.port, ssl=self._context), self._loop).result(10)

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _serve(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        try:
            broker_in, broker_out = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            client_out.close()
            return
        await asyncio.gather(_pipe(client_in, broker_out), _pipe(broker_in, client_out))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with suppress(OSError, ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with suppress(OSError, ssl.SSLError):
        writer.close()


class TlsBroker:
    """Tansu in plaintext on a private port, reachable only through the TLS terminator."""

    def __init__(self, pki: Pki, log_dir: Path) -> None:
        self.pki = pki
        self.terminator = TlsTerminator(pki)
        self.log_path = log_dir / "tansu-tls.log"
        self._process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.terminator.port}"

    def cluster(self, **changes) -> KafkaCluster:
        return KafkaCluster(self.bootstrap, self.pki.client_security(**changes))

    def __enter__(self) -> "TlsBroker":
        private = free_port()
        self.terminator.upstream = private
        self.terminator.start()
        advertised = f"tcp://{self.bootstrap}"  # clients come back through the terminator
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                [resolve_tansu_bin(), "broker", "--listener-url", f"tcp://127.0.0.1:{private}",
                 "--advertised-listener-url", advertised, "--cluster-id", f"tls-{uuid.uuid4().hex[:8]}",
                 "--storage-engine", "memory://tansu/"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        _wait_for_port(private, self._process)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self.terminator.stop()


def _wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Tansu exited with code {process.returncode}")
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"Tansu did not listen on 127.0.0.1:{port} within {timeout_s:g}s")
