"""Probes of validation and smoke-test steps (and wait conditions): a TCP port reachable, an HTTP status and
body, a DNS name's addresses. Each completes or fails with a one-line reason; details go in `effect`."""

from __future__ import annotations

import asyncio
import http.client
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from activities.executors.config import BadExecutorConfig, ExecutorConfig
from activities.executors.http import fetch
from activities.executors.text import bounded, one_line
from domain.execution.executor_specs import ExecutorCall, ExecutorOutcome

ADDRESSES_KEPT = 32  # addresses of a DNS answer kept in the effect


def _failed(error: str, effect: dict[str, Any], output: str = "") -> ExecutorOutcome:
    return ExecutorOutcome(status="failed", error=one_line(error), effect=effect, output=output)


def _text(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise BadExecutorConfig(f"probe parameter {name} must be a non-blank text")
    return value.strip()


def _integer(value: Any, name: str, low: int, high: int) -> int:
    try:
        number = int(value) if not isinstance(value, bool | float) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise BadExecutorConfig(f"probe parameter {name} must be a whole number from {low} to {high}")
    return number


async def _refuse_link_local(host: str) -> None:
    """Probes take their targets from templates and inventory values: none may reach a link-local address, where
    clouds serve instance metadata and credentials (169.254.169.254, fd00:ec2::254)."""
    try:
        answers = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return  # the probe itself reports a name that does not resolve
    for *_, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address.is_link_local or str(address) == "fd00:ec2::254":
            raise BadExecutorConfig(f"probes never reach link-local addresses (cloud instance metadata): {host}"
                                    f" resolves to {address}")


async def tcp_probe(call: ExecutorCall, config: ExecutorConfig) -> ExecutorOutcome:
    host = _text(call.params, "host")
    port = _integer(call.params.get("port"), "port", 1, 65535)
    effect: dict[str, Any] = {"host": host, "port": port}
    await _refuse_link_local(host)
    try:
        async with asyncio.timeout(call.timeout_seconds):
            _, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        return _failed(f"{host}:{port} did not accept a connection within {call.timeout_seconds:g} s", effect)
    except OSError as error:
        return _failed(f"{host}:{port} is not reachable: {error.strerror or error}", effect)
    peer = writer.get_extra_info("peername")
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass  # closing an accepted connection: the probe is answered already
    address = peer[0] if peer else None
    return ExecutorOutcome(status="completed", output=f"connected to {host}:{port} ({address})",
                           effect=effect | {"address": address})


async def http_probe(call: ExecutorCall, config: ExecutorConfig) -> ExecutorOutcome:
    url = _text(call.params, "url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadExecutorConfig(f"http_probe url {url[:80]!r} is not an http:// or https:// URL with a host")
    expected = _integer(call.params.get("expect_status", 200), "expect_status", 100, 599)
    needle = call.params.get("expect_body")
    if needle is not None and not isinstance(needle, str):
        raise BadExecutorConfig("probe parameter expect_body must be a text")
    effect: dict[str, Any] = {"url": url, "expect_status": expected}
    await _refuse_link_local(parts.hostname)
    try:
        response = await fetch(url, headers={"User-Agent": "migration-platform-probe"}, timeout=call.timeout_seconds)
    except TimeoutError:
        return _failed(f"{url} did not answer within {call.timeout_seconds:g} s", effect)
    except (OSError, http.client.HTTPException) as error:
        return _failed(f"{url} is not reachable: {str(error) or type(error).__name__}", effect)
    text = response.text()
    effect["http_status"] = response.status
    output = bounded(text)
    if response.status != expected:
        return _failed(f"{url} answered HTTP {response.status} {response.reason}, expected {expected}", effect, output)
    if needle and needle not in text:
        return _failed(f"{url} answered without the expected text {needle[:60]!r}", effect, output)
    return ExecutorOutcome(status="completed", output=output, effect=effect)


async def dns_probe(call: ExecutorCall, config: ExecutorConfig) -> ExecutorOutcome:
    name = _text(call.params, "name")
    expected = call.params.get("expect_addresses") or []
    if isinstance(expected, str):
        expected = [expected]  # one filled placeholder: `expect_addresses: ${asset.ip_address}`
    if not isinstance(expected, list) or not all(isinstance(item, str) for item in expected):
        raise BadExecutorConfig("probe parameter expect_addresses must be a list of IP addresses")
    try:
        wanted = {str(ipaddress.ip_address(item.strip())) for item in expected}
    except ValueError as error:
        raise BadExecutorConfig(f"probe parameter expect_addresses: {error}") from None
    effect: dict[str, Any] = {"name": name}
    try:
        async with asyncio.timeout(call.timeout_seconds):
            answers = await asyncio.get_running_loop().getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except TimeoutError:
        return _failed(f"{name} did not resolve within {call.timeout_seconds:g} s", effect)
    except (OSError, UnicodeError) as error:
        return _failed(f"{name} does not resolve: {getattr(error, 'strerror', None) or error}", effect)
    addresses = sorted({str(ipaddress.ip_address(info[4][0].split("%")[0])) for info in answers})
    effect["addresses"] = addresses[:ADDRESSES_KEPT]
    output = f"{name} resolves to {', '.join(addresses[:ADDRESSES_KEPT])}"
    if missing := sorted(wanted - set(addresses)):
        return _failed(f"{name} resolves to {', '.join(addresses[:8])}, without {', '.join(missing[:8])}",
                       effect | {"missing": missing[:ADDRESSES_KEPT]}, output)
    return ExecutorOutcome(status="completed", output=output, effect=effect)
