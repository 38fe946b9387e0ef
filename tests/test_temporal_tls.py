"""TLS towards Temporal (TEMPORAL_TLS_*): the client checks the server's certificate and presents its own.

The dev server speaks plain gRPC, so a TLS front end that demands a client certificate (as Temporal's own
`requireClientAuth` does) stands before it: certificates made by openssl, HTTP/2 over TLS, bytes relayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from runtime.settings import Settings
from runtime.temporal_client import TemporalUnavailable, connect_client, tls_config


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


@pytest.fixture
def certificates(tmp_path: Path) -> Path:
    """A CA, a server certificate for localhost and 127.0.0.1, and a client certificate, all signed by the CA."""
    _openssl(tmp_path, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=test ca")
    (tmp_path / "server.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    (tmp_path / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    for name in ("server", "client"):
        _openssl(tmp_path, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}")
        _openssl(tmp_path, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")
    return tmp_path


@contextlib.asynccontextmanager
async def tls_front(certs: Path, upstream: str) -> AsyncIterator[str]:
    """A TLS front end of the Temporal server at `upstream` that requires a client certificate of the CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs / "server.pem", certs / "server.key")
    context.load_verify_locations(certs / "ca.pem")
    context.verify_mode = ssl.CERT_REQUIRED
    context.set_alpn_protocols(["h2"])
    host, port = upstream.rsplit(":", 1)

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def serve(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(relay(client_reader, server_writer), relay(server_reader, client_writer))

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    try:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


def _settings(certs: Path, *, client: bool = True, **extra: object) -> Settings:
    files = {"TEMPORAL_TLS_CA": certs / "ca.pem"}
    if client:
        files |= {"TEMPORAL_TLS_CERT": certs / "client.pem", "TEMPORAL_TLS_KEY": certs / "client.key"}
    return Settings.model_validate({**files, **extra})


async def test_the_client_speaks_mtls_and_is_refused_without_its_certificate(dev_env, certificates: Path) -> None:
    upstream = dev_env.client.service_client.config.target_host
    async with tls_front(certificates, upstream) as address:
        client = await connect_client(address, "default", tls=tls_config(_settings(certificates)))
        assert (await client.workflow_service.get_system_info(GetSystemInfoRequest())).server_version
        for settings in (_settings(certificates, client=False), Settings()):  # no client certificate; no TLS
            with pytest.raises(TemporalUnavailable, match=f"cannot reach Temporal at {address} \\(TEMPORAL_ADDRESS\\)"):
                await asyncio.wait_for(connect_client(address, "default", tls=tls_config(settings)), 60)


def test_tls_settings_that_cannot_work_are_one_line(tmp_path: Path) -> None:
    assert tls_config(Settings()) is False
    with pytest.raises(TemporalUnavailable, match="TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together"):
        tls_config(Settings.model_validate({"TEMPORAL_TLS_CERT": tmp_path / "c.pem"}))
    with pytest.raises(TemporalUnavailable, match=f"TEMPORAL_TLS_CA {tmp_path / 'none.pem'}: cannot be read"):
        tls_config(Settings.model_validate({"TEMPORAL_TLS_CA": tmp_path / "none.pem"}))
