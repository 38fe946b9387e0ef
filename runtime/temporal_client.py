"""Temporal client construction: the pydantic data converter on every client, search attributes ensured."""

from __future__ import annotations

import re

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from runtime.settings import Settings
from workflows.search_attributes import ALL_KEYS

# The reason inside the SDK's connection error, e.g. `Os { ..., message: "Connection refused" }` or
# `Custom { ..., error: "failed to lookup address information: Name or service not known" }`.
_CONNECT_REASON = re.compile(r'\b(?:message|error): "([^"]+)"')


class TemporalUnavailable(RuntimeError):
    """The Temporal server cannot be reached, or lacks the namespace; the message names the setting to check."""


def _server(address: str, embedded: bool) -> str:
    return f"the embedded Temporal at {address}" if embedded else f"Temporal at {address}"


def connect_failure_reason(error: Exception) -> str:
    """The SDK's connection error in a few words: its innermost reason, without the transport's layers."""
    text = str(error)
    found = _CONNECT_REASON.search(text)
    if found:
        return found.group(1)
    return text.removeprefix("Failed client connect: ").splitlines()[0][:200]


def tls_config(settings: Settings) -> TLSConfig | bool:
    """TLS towards Temporal from TEMPORAL_TLS_* (a CA to check the server, a client certificate and key for mTLS);
    False, plain, when none is set. A file that cannot be read, or a certificate without its key, is one line."""
    files = {"TEMPORAL_TLS_CA": settings.temporal_tls_ca, "TEMPORAL_TLS_CERT": settings.temporal_tls_cert,
             "TEMPORAL_TLS_KEY": settings.temporal_tls_key}
    if not any(files.values()) and not settings.temporal_tls_server_name:
        return False
    if (settings.temporal_tls_cert is None) != (settings.temporal_tls_key is None):
        raise TemporalUnavailable("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both or neither")
    pem: dict[str, bytes | None] = {}
    for variable, path in files.items():
        try:
            pem[variable] = path.read_bytes() if path else None
        except OSError as err:
            raise TemporalUnavailable(f"{variable} {path}: cannot be read ({err.strerror})") from None
    return TLSConfig(server_root_ca_cert=pem["TEMPORAL_TLS_CA"], client_cert=pem["TEMPORAL_TLS_CERT"],
                     client_private_key=pem["TEMPORAL_TLS_KEY"], domain=settings.temporal_tls_server_name)


async def connect_client(address: str, namespace: str, *, embedded: bool = False,
                         tls: TLSConfig | bool = False) -> Client:
    """A client of `namespace` at `address` (the embedded server's if `embedded`, else TEMPORAL_ADDRESS's),
    over `tls` (see `tls_config`).

    Fails with one line naming the setting if no Temporal answers there or the namespace does not exist.
    """
    try:
        client = await Client.connect(address, namespace=namespace, data_converter=pydantic_data_converter, tls=tls)
    except (RuntimeError, ValueError) as err:  # the SDK's core raises these for an address it cannot use
        reason = connect_failure_reason(err)
        raise TemporalUnavailable(
            f"cannot reach {_server(address, embedded)}: {reason}; see `starter.py dev status`" if embedded
            else f"cannot reach {_server(address, embedded)} (TEMPORAL_ADDRESS): {reason}"
        ) from None
    await _check_namespace(client, address, embedded)
    return client


async def _check_namespace(client: Client, address: str, embedded: bool) -> None:
    """Refuse a namespace the server does not have (every later call would fail with NOT_FOUND)."""
    try:
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=client.namespace))
    except RPCError as err:
        if err.status == RPCStatusCode.UNIMPLEMENTED:  # the time-skipping test server has no namespaces to describe
            return
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        advice = ("it runs with the namespace it was started with; `starter.py dev down` lets the next command "
                  "start it with this one" if embedded else "set TEMPORAL_NAMESPACE to one of its namespaces")
        raise TemporalUnavailable(f"namespace {client.namespace!r} not found on {_server(address, embedded)} "
                                  f"(TEMPORAL_NAMESPACE); {advice}") from None


async def ensure_search_attributes(client: Client) -> list[str]:
    """Register the platform's custom search attributes that the namespace lacks; return those added.

    An unregistered key makes a workflow's upsert fail its task forever, so workers call this before
    polling (the embedded dev server registers them at start already).
    """
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
        known = set(existing.custom_attributes)
    except RPCError as err:
        if err.status != RPCStatusCode.UNIMPLEMENTED:  # the time-skipping test server cannot list
            raise
        known = set()
    missing = {
        key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
        for key in ALL_KEYS
        if key.name not in known
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
    return sorted(missing)
