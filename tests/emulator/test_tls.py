"""`--tls`: https with a generated self-signed certificate, for clients that force https."""

from __future__ import annotations

import os
import socket
import ssl
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_ldmetrics.emulator import Emulator, EmulatorServer, tlscert

from .helpers import CUSTOM, METRICS, TOKEN, create


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tlscert.CertFiles:
    # Module scope: key generation is the slow part, and every test can share one certificate.
    return tlscert.generate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_server(cert: tlscert.CertFiles) -> Iterator[EmulatorServer]:
    emulator = Emulator(token=TOKEN)
    with EmulatorServer(emulator, tls=cert.server_context()) as server:
        yield server
    emulator.close()


def test_https_round_trip_verifying_the_certificate(
    https_server: EmulatorServer, cert: tlscert.CertFiles
) -> None:
    assert https_server.url == f"https://127.0.0.1:{https_server.port}"
    headers = {"Authorization": TOKEN}
    verify = cert.client_context()
    for base in (https_server.url, f"https://localhost:{https_server.port}"):
        with httpx.Client(base_url=base, headers=headers, verify=verify, timeout=5) as client:
            client.delete(f"{METRICS}/signup")
            created = create(client, CUSTOM)
            assert client.get(f"{METRICS}/signup").json() == created
            assert client.get("/api/v2/projects/proj").status_code == 200
            # The control endpoint's own origin is the https one now.
            own = {"Origin": f"https://127.0.0.1:{https_server.port}"}
            assert client.get("/_emulator/log", headers=own).status_code == 200


def test_the_certificate_is_not_trusted_by_default(https_server: EmulatorServer) -> None:
    with httpx.Client(base_url=https_server.url, timeout=5) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            client.get(METRICS)


def test_plain_http_to_the_tls_port_fails_and_the_server_keeps_serving(
    https_server: EmulatorServer, cert: tlscert.CertFiles
) -> None:
    with socket.create_connection(("127.0.0.1", https_server.port), timeout=5) as raw:
        raw.sendall(b"GET /api/v2/metrics/proj HTTP/1.1\r\nHost: x\r\n\r\n")
        assert not raw.recv(1024).startswith(b"HTTP/")  # a TLS alert or a close, never HTTP
    with httpx.Client(verify=cert.client_context(), timeout=5) as client:
        response = client.get(f"{https_server.url}{METRICS}", headers={"Authorization": TOKEN})
        assert response.status_code == 200


def test_a_stalled_handshake_does_not_block_other_clients(
    https_server: EmulatorServer, cert: tlscert.CertFiles
) -> None:
    with socket.create_connection(("127.0.0.1", https_server.port), timeout=5):
        # Connected, never says anything: the next client must still be served at once.
        with httpx.Client(verify=cert.client_context(), timeout=2) as client:
            response = client.get(f"{https_server.url}{METRICS}", headers={"Authorization": TOKEN})
            assert response.status_code == 200


def test_certificate_files(cert: tlscert.CertFiles) -> None:
    assert stat.S_IMODE(os.stat(cert.key).st_mode) == 0o600
    assert b"BEGIN CERTIFICATE" in cert.cert.read_bytes()
    context = ssl.create_default_context(cafile=str(cert.cert))
    assert context.cert_store_stats()["x509_ca"] == 1


def test_cli_tls_prints_the_certificate_path(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_ldmetrics.emulator", "--port", "0", "--tls"]
        + ["--tls-dir", str(tmp_path), "--token", TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        notice = proc.stderr.readline().strip()
        cert_path = Path(notice.removeprefix("ldmetrics-emulator: TLS certificate "))
        assert cert_path == tmp_path / tlscert.CERT_NAME and cert_path.exists()
        line = proc.stdout.readline().strip()
        url = line.removeprefix("LaunchDarkly emulator listening on ")
        assert url.startswith("https://127.0.0.1:"), line
        verify = ssl.create_default_context(cafile=str(cert_path))
        with httpx.Client(base_url=url, headers={"Authorization": TOKEN}, verify=verify) as c:
            assert c.get(METRICS).status_code == 200
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
