"""Merging imported records into assets (ADR-0007) against the real PostgreSQL, as the application role.

Records are real cleansing output (field mapping suggestions, `cleanse_record`, `natural_key`) stored
as valid raw records of realistic imports; `assets_upsert_from_import` merges them.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from activities.asset_batches import jsonable
from db.pool import tenant_transaction
from db.queries import sql
from domain.asset_fields import ASSET_IMPORT_FIELDS
from domain.discovery.cleansing import cleanse_record, natural_key
from domain.discovery.field_mapping import MappingSuggestion, suggest_mappings
from domain.discovery.source_formats import FORMATS
from domain.discovery.source_priority import SOURCE_KINDS, source_priorities
from tests.conftest import RawTenant, insert_raw_tenant, make_engagement
from tests.discovery_harness import rows, run_discovery

INVENTORY_HEADERS = ["ExternalId", "name", "Host Name", "fqdn", "ip_address", "mac_address", "serial_number",
                     "cpu_core_count", "ram", "os", "environment"]


def _row(headers: Sequence[str], **values: str) -> dict[str, str]:
    by_header = {h.lower().replace(" ", "_").replace("(", "").replace(")", ""): h for h in headers}
    row = dict.fromkeys(headers, "")
    for key, value in values.items():
        row[by_header[key]] = value
    return row


def cmdb(**values: str) -> dict[str, str]:
    """An inventory row: externalid, name, host_name, fqdn, ip_address, mac_address, serial_number,
    cpu_core_count, ram (GB), os, environment."""
    return _row(INVENTORY_HEADERS, **values)


def _cleansed(rows: Sequence[dict[str, str]], mappings: Sequence[MappingSuggestion] | None = None) -> list[tuple]:
    mappings = mappings or [s for s in suggest_mappings(list(rows[0])) if s.target_field]
    records = []
    for number, raw in enumerate(rows, start=1):
        cleansed = cleanse_record(raw, mappings)
        assert not cleansed.errors, (raw, cleansed.errors)
        records.append((number, raw, jsonable(cleansed.values), jsonable(cleansed.changes),
                        natural_key(cleansed.values)))
    return records


async def add_import(pool: asyncpg.Pool, t: RawTenant, file_name: str, source_format: str | None,
                     records: Sequence[tuple]) -> uuid.UUID:
    """A data import with its records stored as cleansed, valid raw records (COPY via temp staging)."""
    async with tenant_transaction(pool, t.client_id, t.engagement_id, t.user_id) as conn:
        import_id = await conn.fetchval(
            "INSERT INTO migration.data_imports (client_account_id, engagement_id, file_name, source_format, status,"
            " total_records) VALUES ($1, $2, $3, $4, 'processing', $5) RETURNING id",
            t.client_id, t.engagement_id, file_name, source_format, len(records))
        await conn.execute(
            "CREATE TEMP TABLE staged_records (row_number integer, raw_data jsonb, cleansed_data jsonb,"
            " cleansing_changes jsonb, natural_key text) ON COMMIT DROP")
        await conn.copy_records_to_table("staged_records", records=records)
        await conn.execute(
            "INSERT INTO migration.raw_import_records (client_account_id, engagement_id, data_import_id, row_number,"
            " raw_data, status, cleansed_data, cleansing_changes, natural_key)"
            " SELECT $1, $2, $3, row_number, raw_data, 'valid', cleansed_data, cleansing_changes, natural_key"
            " FROM staged_records", t.client_id, t.engagement_id, import_id)
    return import_id


async def merge(pool: asyncpg.Pool, t: RawTenant, import_id: uuid.UUID) -> int:
    """Run the upsert as build_inventory does; the number of records linked."""
    async with tenant_transaction(pool, t.client_id, t.engagement_id) as conn:
        status = await conn.execute(sql("assets_upsert_from_import"), import_id, t.client_id, t.engagement_id,
                                    None, None, source_priorities())
    return int(status.split()[-1])


async def fetch(pool: asyncpg.Pool, t: RawTenant, query: str, *args: Any) -> list[asyncpg.Record]:
    async with tenant_transaction(pool, t.client_id, t.engagement_id) as conn:
        return await conn.fetch(query, *args)


async def asset_of(pool: asyncpg.Pool, t: RawTenant, import_id: uuid.UUID) -> dict[int, uuid.UUID]:
    rows = await fetch(pool, t, "SELECT row_number, asset_id, status FROM migration.raw_import_records"
                                " WHERE data_import_id = $1", import_id)
    assert {r["status"] for r in rows} == {"processed"}
    return {r["row_number"]: r["asset_id"] for r in rows}


async def assets_by_name(pool: asyncpg.Pool, t: RawTenant) -> dict[str, asyncpg.Record]:
    return {r["name"]: r for r in await fetch(pool, t, "SELECT * FROM migration.assets")}


async def snapshot(pool: asyncpg.Pool, t: RawTenant) -> list[dict]:
    rows = await fetch(pool, t, "SELECT to_jsonb(a) AS j FROM migration.assets a ORDER BY id")
    return [r["j"] for r in rows]


async def conflicts(pool: asyncpg.Pool, t: RawTenant) -> list[asyncpg.Record]:
    return await fetch(pool, t, "SELECT * FROM migration.asset_merge_conflicts ORDER BY field, row_number")


async def refresh_statistics(pool: asyncpg.Pool, t: RawTenant) -> None:
    async with tenant_transaction(pool, t.client_id, t.engagement_id) as conn:
        await conn.execute(sql("refresh_inventory_statistics"))


@pytest.fixture
async def tenant(app_pool: asyncpg.Pool) -> RawTenant:
    return await insert_raw_tenant(app_pool, f"merge-{uuid.uuid4().hex[:6]}")


@pytest.mark.parametrize("values", [
    {"hostname": "WEB01.corp.local"}, {"fqdn": "Db02.Corp.Local."}, {"hostname": " ", "fqdn": "app7.x"},
    {"hostname": "10.20.30.40"}, {"hostname": "FE80::1"}, {"name": "  Payroll \t DB  "}, {"name": "ÄPFEL Server"},
])
async def test_sql_match_keys_follow_natural_key(app_pool: asyncpg.Pool, tenant: RawTenant,
                                                 values: dict[str, str]) -> None:
    rows = await fetch(app_pool, tenant, "SELECT migration.asset_host_key($1, $2) AS host,"
                                         " migration.asset_name_key($3) AS name",
                       values.get("hostname"), values.get("fqdn"), values.get("name"))
    kind, _, key = natural_key(values).partition(":")
    assert rows[0][kind] == key


async def test_duplicates_within_one_import_become_one_asset_each(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    records = _cleansed([
        cmdb(name="web01", host_name="web01", ip_address="10.0.0.1", cpu_core_count="4"),  # 1
        cmdb(name="WEB01", host_name="WEB01", ram="16"),  # 2 hostname case
        cmdb(name="web01 (fqdn)", fqdn="web01.corp.local", os="RHEL 9"),  # 3 FQDN vs hostname
        cmdb(name="app01", ip_address="10.1.0.5"),  # 4
        cmdb(name="application server 1", ip_address="10.1.0.5", environment="prod"),  # 5 same IP, no host
        cmdb(name="db01", mac_address="AA-BB-CC-00-00-01"),  # 6
        cmdb(name="db01-old", mac_address="aa:bb:cc:00:00:01"),  # 7 same MAC
        cmdb(name="nas01", serial_number="SN-77"),  # 8
        cmdb(name="nas-01", serial_number="sn-77 "),  # 9 same serial
        cmdb(name="Payroll  DB"),  # 10
        cmdb(name="payroll db", cpu_core_count="8"),  # 11 same normalised name
        cmdb(name="web02", host_name="web02", ip_address="10.9.9.9"),  # 12
        cmdb(name="web03", host_name="web03", ip_address="10.9.9.9"),  # 13 same IP, other host: not one server
        cmdb(name="x1", host_name="x1", serial_number="To be filled by O.E.M."),  # 14 placeholder serial
        cmdb(name="x2", host_name="x2", serial_number="To be filled by O.E.M."),  # 15
        cmdb(externalid="c0ffee01", name="mail", host_name="mail01"),  # 16
        cmdb(externalid="c0ffee01", name="mail", ip_address="10.3.3.3"),  # 17 same external id
    ])
    import_id = await add_import(app_pool, tenant, "cmdb_ci_server.csv", "servicenow_cmdb", records)

    assert await merge(app_pool, tenant, import_id) == 17

    asset = await asset_of(app_pool, tenant, import_id)
    same = [(1, 2, 3), (4, 5), (6, 7), (8, 9), (10, 11), (16, 17)]
    for group in same:
        assert len({asset[n] for n in group}) == 1, group
    apart = [g[0] for g in same] + [12, 13, 14, 15]
    assert len({asset[n] for n in apart}) == len(apart)
    assert len(await fetch(app_pool, tenant, "SELECT id FROM migration.assets")) == len(apart)

    web = (await fetch(app_pool, tenant, "SELECT * FROM migration.assets WHERE id = $1", asset[1]))[0]
    assert (web["cpu_cores"], web["memory_gb"], web["operating_system"]) == (4, 16, "Red Hat Enterprise Linux 9")
    assert web["field_lineage"]["cpu_cores"] == {"data_import_id": str(import_id), "row_number": 1,
                                                 "source_format": "servicenow_cmdb"}
    assert web["field_lineage"]["memory_gb"]["row_number"] == 2
    assert web["field_lineage"]["operating_system"]["row_number"] == 3
    mail = (await fetch(app_pool, tenant, "SELECT * FROM migration.assets WHERE id = $1", asset[16]))[0]
    assert (mail["external_id"], mail["natural_key"], mail["hostname"], mail["ip_address"]) == (
        "c0ffee01", "ext:c0ffee01", "mail01", "10.3.3.3")
    # rows of one server that disagree: the last row's name wins, the others are conflicts
    named = {(c["asset_id"], c["incoming_value"]) for c in await conflicts(app_pool, tenant) if c["field"] == "name"}
    assert (asset[1], "web01 (fqdn)") not in named and (asset[1], "web01") in named  # WEB01 = web01
    assert (asset[4], "app01") in named and (asset[6], "db01") in named


async def test_later_imports_merge_without_null_overwrites_and_record_conflicts(
    app_pool: asyncpg.Pool, tenant: RawTenant
) -> None:
    """A discovery tool's export outranks the CMDB: its different values replace the CMDB's, which stay open."""
    cmdb_import = await add_import(app_pool, tenant, "cmdb_ci_server.csv", "servicenow_cmdb_ci", _cleansed([
        cmdb(name="web01", host_name="web01", cpu_core_count="4", os="RHEL 9", environment="prod"),
        cmdb(name="db01", host_name="db01", ip_address="10.0.0.9", serial_number="SN-1"),
    ]))
    await merge(app_pool, tenant, cmdb_import)
    rv_headers = ["VM", "DNS Name", "CPUs", "Memory", "Primary IP Address", "OS according to the VMware Tools"]
    rvtools = _cleansed([
        _row(rv_headers, vm="WEB01", dns_name="web01.corp.local", cpus="8", memory="32"),
        _row(rv_headers, vm="db01-vm", cpus="2", primary_ip_address="10.0.0.9"),
        _row(rv_headers, vm="new01", dns_name="new01.corp.local", cpus="1"),
    ])
    rv_import = await add_import(app_pool, tenant, "RVTools_tabvInfo.csv", "rvtools_vinfo", rvtools)

    assert await merge(app_pool, tenant, rv_import) == 3

    assets = await assets_by_name(app_pool, tenant)
    assert sorted(assets) == ["db01-vm", "new01", "web01"]
    web = assets["web01"]
    assert web["cpu_cores"] == 8, "the higher-ranked source's different value replaces the CMDB's"
    assert web["memory_gb"] == 32 and web["operating_system"] == "Red Hat Enterprise Linux 9"
    assert web["environment"] == "production", "an empty cell never overwrites"
    assert web["fqdn"] == "web01.corp.local"
    lineage = web["field_lineage"]
    assert lineage["cpu_cores"] == {"data_import_id": str(rv_import), "row_number": 1, "source_format": "rvtools_vinfo"}
    assert lineage["memory_gb"] == {"data_import_id": str(rv_import), "row_number": 1,
                                    "source_format": "rvtools_vinfo"}
    assert assets["db01-vm"]["serial_number"] == "SN-1" and assets["db01-vm"]["cpu_cores"] == 2

    found = {(c["field"], c["kept_value"], c["incoming_value"], c["data_import_id"], c["row_number"], c["status"])
             for c in await conflicts(app_pool, tenant)}
    assert found == {  # the replaced values, under the CMDB's import and rows, for review
        ("cpu_cores", 8, 4, cmdb_import, 1, "open"),
        ("name", "db01-vm", "db01", cmdb_import, 2, "open"),
    }
    links = await asset_of(app_pool, tenant, rv_import)
    assert links[1] == web["id"] and links[2] == assets["db01-vm"]["id"]


async def test_reimporting_the_same_file_changes_nothing(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    records = _cleansed([
        cmdb(externalid="s1", name="web01", host_name="web01", ip_address="10.0.0.1; 10.0.0.2", cpu_core_count="4"),
        cmdb(name="WEB01", host_name="web01", cpu_core_count="6"),
        cmdb(name="db01", fqdn="db01.corp.local", mac_address="aa:bb:cc:00:00:09", ram="8"),
    ])
    first = await add_import(app_pool, tenant, "cmdb_ci_server.csv", "servicenow_cmdb", records)
    await merge(app_pool, tenant, first)
    before, conflicts_before = await snapshot(app_pool, tenant), await conflicts(app_pool, tenant)
    assert len(before) == 2 and len(conflicts_before) == 1  # cpu 4 vs 6 within the file

    assert await merge(app_pool, tenant, first) == 3
    assert await snapshot(app_pool, tenant) == before

    again = await add_import(app_pool, tenant, "cmdb_ci_server.csv", "servicenow_cmdb", records)
    assert await merge(app_pool, tenant, again) == 3
    assert await snapshot(app_pool, tenant) == before
    assert await conflicts(app_pool, tenant) == conflicts_before
    assert set((await asset_of(app_pool, tenant, again)).values()) == {uuid.UUID(a["id"]) for a in before}


async def test_an_updated_file_updates(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    first = await add_import(app_pool, tenant, "cmdb_ci_server.csv", "servicenow_cmdb", _cleansed([
        cmdb(name="web01", host_name="web01", cpu_core_count="4", os="RHEL 8", ip_address="10.0.0.1"),
    ]))
    await merge(app_pool, tenant, first)
    updated = await add_import(app_pool, tenant, "cmdb_ci_server.csv", "servicenow_cmdb", _cleansed([
        cmdb(name="web01", host_name="web01", cpu_core_count="8", ip_address="10.0.0.7"),
        cmdb(name="web09", host_name="web09", cpu_core_count="2"),
    ]))

    assert await merge(app_pool, tenant, updated) == 2

    assets = await assets_by_name(app_pool, tenant)
    web = assets["web01"]
    assert (web["cpu_cores"], web["ip_address"], web["operating_system"]) == (8, "10.0.0.7", "Red Hat Enterprise Linux 8")
    assert web["ip_addresses"] == ["10.0.0.1", "10.0.0.7"], "addresses accumulate"
    assert web["field_lineage"]["cpu_cores"]["data_import_id"] == str(updated)
    assert web["field_lineage"]["operating_system"]["data_import_id"] == str(first)
    assert (web["data_import_id"], web["source_row_number"]) == (updated, 1)
    assert "web09" in assets
    assert await conflicts(app_pool, tenant) == []


async def test_a_record_matching_two_assets_is_reported_not_merged(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    first = await add_import(app_pool, tenant, "inventory.csv", None, _cleansed([
        cmdb(name="web05", host_name="web05"),
        cmdb(name="legacy box", ip_address="10.5.5.5"),
    ]))
    await merge(app_pool, tenant, first)
    second = await add_import(app_pool, tenant, "scan.csv", None, _cleansed([
        cmdb(name="web05", host_name="web05", ip_address="10.5.5.5"),
    ]))

    await merge(app_pool, tenant, second)

    assets = await assets_by_name(app_pool, tenant)
    assert sorted(assets) == ["legacy box", "web05"]
    assert (await asset_of(app_pool, tenant, second))[1] == assets["web05"]["id"]
    [conflict] = await conflicts(app_pool, tenant)
    assert (conflict["field"], conflict["asset_id"], conflict["other_asset_id"]) == (
        "asset", assets["web05"]["id"], assets["legacy box"]["id"])
    assert assets["legacy box"]["field_lineage"]["ip_address"]["data_import_id"] == str(first)


_SAMPLE_BY_KIND = {
    "text": "t-1", "int": "2", "number": "1.5", "bool": "yes", "ip_list": "10.0.0.1", "mac_list": "aa:bb:cc:dd:ee:ff",
    "environment": "prod", "criticality": "high", "asset_type": "cmdb_ci_win_server", "os": "Windows Server 2019",
    "list": "other-host", "tags": "team:core", "currency": "eur", "install_status": "installed",
    "operational_status": "operational",
}


async def test_every_importable_column_is_merged_with_lineage(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    fields = {f: k for f, k in ASSET_IMPORT_FIELDS.items() if f != "depends_on"}
    unknown = set(fields.values()) - set(_SAMPLE_BY_KIND)
    assert not unknown, f"add a sample value for field kinds {unknown}"
    raw = {f: _SAMPLE_BY_KIND[k] for f, k in fields.items() if f != "os_version"}
    mappings = [MappingSuggestion(source_field=f, target_field=f, confidence=1.0, source="exact", reason="test")
                for f in raw]
    import_id = await add_import(app_pool, tenant, "all.csv", None, _cleansed([raw], mappings))

    await merge(app_pool, tenant, import_id)

    [asset] = await fetch(app_pool, tenant, "SELECT * FROM migration.assets")
    values = _cleansed([raw], mappings)[0][2]
    missing = [f for f in values if asset[f] in (None, [], {})]
    assert not missing, f"columns the upsert does not write: {missing}"
    assert set(asset["field_lineage"]) == set(values)


async def test_conflicts_are_isolated_per_engagement(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    for name in ("a.csv", "b.csv"):
        import_id = await add_import(app_pool, tenant, name, None, _cleansed([
            cmdb(name="web01", host_name="web01", cpu_core_count=str(len(name) + ord(name[0])))]))
        await merge(app_pool, tenant, import_id)
    assert len(await conflicts(app_pool, tenant)) == 1
    other = await insert_raw_tenant(app_pool, "merge-other")
    assert await conflicts(app_pool, other) == []
    async with app_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM migration.asset_merge_conflicts") == 0
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_transaction(app_pool, other.client_id, other.engagement_id) as conn:
            row = (await conflicts(app_pool, tenant))[0]
            await conn.execute(
                "INSERT INTO migration.asset_merge_conflicts (client_account_id, engagement_id, asset_id, field,"
                " incoming_value, data_import_id, row_number) VALUES ($1, $2, $3, 'name', '\"x\"', $4, 1)",
                tenant.client_id, tenant.engagement_id, row["asset_id"], row["data_import_id"])


async def test_merge_timing_with_duplicates(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    """Prints the upsert's time for INVENTORY_MERGE_ROWS records (default 10,000), 5% of them duplicates."""
    total = int(os.environ.get("INVENTORY_MERGE_ROWS", "10000"))
    rng = random.Random(5)
    servers = total - total // 20
    rows = [cmdb(name=f"srv{n:06d}", host_name=f"srv{n:06d}", ip_address=f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}",
                 cpu_core_count=str(rng.choice((2, 4, 8))), os=rng.choice(("RHEL 9", "Windows Server 2019")))
            for n in range(servers)]
    for n in rng.sample(range(servers), total - servers):  # the same server again: by FQDN, IP or name case
        kind = n % 3
        rows.append(cmdb(name=f"SRV{n:06d}", fqdn=f"srv{n:06d}.corp.local") if kind == 0 else
                    cmdb(name=f"srv{n:06d}-b", ip_address=f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}") if kind == 1 else
                    cmdb(name=f"Srv{n:06d}", host_name=f"SRV{n:06d}", ram="4"))
    import_id = await add_import(app_pool, tenant, "big.csv", "servicenow_cmdb", _cleansed(rows))
    await refresh_statistics(app_pool, tenant)

    started = time.perf_counter()
    assert await merge(app_pool, tenant, import_id) == total
    first = time.perf_counter() - started
    again = await add_import(app_pool, tenant, "big.csv", "servicenow_cmdb", _cleansed(rows))
    await refresh_statistics(app_pool, tenant)  # as build_inventory does after every merge
    started = time.perf_counter()
    assert await merge(app_pool, tenant, again) == total
    second = time.perf_counter() - started

    assert len(await fetch(app_pool, tenant, "SELECT id FROM migration.assets")) == servers
    print(f"\nmerge of {total} records ({total - servers} duplicates) into {servers} new assets: {first:.2f} s; "
          f"re-import of the same file onto them: {second:.2f} s")


SNOW_HEADERS = ["sys_id", "name", "fqdn", "ip_address", "sys_updated_on", "depends_on"]


def snow(**values: str) -> dict[str, str]:
    """A ServiceNow-like row: sys_id (the CMDB id), name, fqdn, ip_address, sys_updated_on, depends_on."""
    return _row(SNOW_HEADERS, **values)


async def depends_on_edges(pool: asyncpg.Pool, t: RawTenant, import_id: uuid.UUID) -> tuple[set, list]:
    """Run the depends-on edge query on an import; the edges (source name, target id) and the dangling refs."""
    async with tenant_transaction(pool, t.client_id, t.engagement_id) as conn:
        row = await conn.fetchrow(sql("dependencies_from_import"), import_id, t.client_id, t.engagement_id)
    edges = await fetch(pool, t, "SELECT s.name, d.target_asset_id FROM migration.asset_dependencies d"
                                 " JOIN migration.assets s ON s.id = d.source_asset_id")
    return {(e["name"], e["target_asset_id"]) for e in edges}, row["dangling"]


async def test_the_fresher_record_wins_and_every_id_it_was_known_by_resolves(
    app_pool: asyncpg.Pool, tenant: RawTenant
) -> None:
    first = await add_import(app_pool, tenant, "cmdb_ci_server.csv", "servicenow_cmdb", _cleansed([
        snow(sys_id="sys-new", name="app01", fqdn="app01.corp.local", ip_address="10.0.0.2",
             sys_updated_on="2024-06-01 08:00:00"),
        # the same server, updated a year earlier, comes later in the file: it used to win
        snow(sys_id="sys-old", name="app01 (old)", fqdn="APP01.corp.local", ip_address="10.0.0.1",
             sys_updated_on="2023-05-30 17:00:00"),
        snow(sys_id="sys-db", name="db01", fqdn="db01.corp.local", depends_on="sys-old"),
    ]))
    await merge(app_pool, tenant, first)

    assets = await assets_by_name(app_pool, tenant)
    assert sorted(assets) == ["app01", "db01"]
    app = assets["app01"]
    assert (app["cmdb_id"], app["ip_address"]) == ("sys-new", "10.0.0.2")
    assert app["field_lineage"]["name"]["row_number"] == 1
    lost = {(c["field"], c["kept_value"], c["incoming_value"]) for c in await conflicts(app_pool, tenant)}
    assert {("name", "app01", "app01 (old)"), ("cmdb_id", "sys-new", "sys-old"),
            ("ip_address", "10.0.0.2", "10.0.0.1")} <= lost, "the older values stay for review"
    known = await fetch(app_pool, tenant, "SELECT external_id, asset_id FROM migration.asset_external_ids")
    assert {(k["external_id"], k["asset_id"]) for k in known} >= {("sys-new", app["id"]), ("sys-old", app["id"])}
    edges, dangling = await depends_on_edges(app_pool, tenant, first)
    assert edges == {("db01", app["id"])} and dangling == [], "the older id resolves in the same import"

    later = await add_import(app_pool, tenant, "batch.csv", None, _cleansed([
        snow(name="batch01", fqdn="batch01.corp.local", depends_on="SYS-OLD"),
    ]))
    await merge(app_pool, tenant, later)
    edges, dangling = await depends_on_edges(app_pool, tenant, later)
    assert ("batch01", app["id"]) in edges and dangling == [], "and in a later import"


async def test_an_external_id_merged_away_still_matches_and_resolves(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    first = await add_import(app_pool, tenant, "vms.csv", None, _cleansed([
        cmdb(externalid="vm-1", name="app02", fqdn="app02.corp.local", cpu_core_count="4")]))
    await merge(app_pool, tenant, first)
    second = await add_import(app_pool, tenant, "cis.csv", None, _cleansed([
        cmdb(externalid="ci-2", name="app02", fqdn="app02.corp.local", ram="16")]))
    await merge(app_pool, tenant, second)
    [app] = (await assets_by_name(app_pool, tenant)).values()
    assert (app["external_id"], app["memory_gb"]) == ("vm-1", 16)

    third = await add_import(app_pool, tenant, "more.csv", None, _cleansed([
        cmdb(externalid="ci-2", name="app02", environment="prod"),  # only the id merged away names it
        cmdb(name="web07", host_name="web07")]))
    await merge(app_pool, tenant, third)
    assets = await assets_by_name(app_pool, tenant)
    assert sorted(assets) == ["app02", "web07"] and assets["app02"]["environment"] == "production"
    dependency = await add_import(app_pool, tenant, "deps.csv", None, _cleansed([
        snow(name="web07", depends_on="ci-2")]))
    await merge(app_pool, tenant, dependency)
    edges, dangling = await depends_on_edges(app_pool, tenant, dependency)
    assert edges == {("web07", app["id"])} and dangling == []


async def test_a_copy_paste_fqdn_keeps_both_servers_and_a_conflict(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    records = _cleansed([
        cmdb(name="Server6", host_name="Server6", fqdn="server6.example.local", os="Windows Server 2016"),
        cmdb(name="Server7", host_name="Server7", fqdn="server7.example.local"),
        # Server6's FQDN pasted: two hostnames disagree
        cmdb(name="Server8", host_name="Server8", fqdn="server6.example.local", os="RHEL 7"),
        cmdb(name="nas1", host_name="nas1", serial_number="SN-1"),
        cmdb(name="nas1", host_name="nas1", serial_number="SN-2"),  # one host, two serials: two boxes
    ])
    first = await add_import(app_pool, tenant, "intake.csv", "aws_cmf", records)
    await merge(app_pool, tenant, first)

    assets = await fetch(app_pool, tenant, "SELECT id, name, serial_number, operating_system FROM migration.assets")
    by_name = {(a["name"], a["serial_number"]): a for a in assets}
    assert sorted(by_name) == [("Server6", None), ("Server7", None), ("Server8", None), ("nas1", "SN-1"),
                               ("nas1", "SN-2")]
    assert by_name[("Server8", None)]["operating_system"] == "Red Hat Enterprise Linux 7"
    pairs = {(c["asset_id"], c["other_asset_id"], c["row_number"]) for c in await conflicts(app_pool, tenant)}
    assert pairs == {(by_name[("Server6", None)]["id"], by_name[("Server8", None)]["id"], 3),
                     (by_name[("nas1", "SN-1")]["id"], by_name[("nas1", "SN-2")]["id"], 5)}

    before, conflicts_before = await snapshot(app_pool, tenant), await conflicts(app_pool, tenant)
    again = await add_import(app_pool, tenant, "intake.csv", "aws_cmf", records)
    await merge(app_pool, tenant, again)
    assert await snapshot(app_pool, tenant) == before, "re-importing the file changes nothing"
    assert await conflicts(app_pool, tenant) == conflicts_before


async def test_a_vm_name_other_than_its_dns_name_still_merges(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    """RVTools names a VM by its VM name, not its DNS name: a name alone never keeps records of one FQDN apart."""
    vinfo = await add_import(app_pool, tenant, "RVTools_tabvInfo.csv", "rvtools_vinfo", _cleansed([
        cmdb(name="web01-prod", fqdn="web01.corp.local", cpu_core_count="4"),
        cmdb(name="web01", fqdn="web01.corp.local", ram="16"),
        cmdb(name="ASSET-0042", host_name="web01", serial_number="SN-9"),  # a CMDB's asset tag as the name
    ]))
    await merge(app_pool, tenant, vinfo)
    [web] = (await assets_by_name(app_pool, tenant)).values()
    assert (web["cpu_cores"], web["memory_gb"], web["serial_number"]) == (4, 16, "SN-9")
    assert not [c for c in await conflicts(app_pool, tenant) if c["field"] == "asset"]

    renamed = await add_import(app_pool, tenant, "RVTools_tabvInfo.csv", "rvtools_vinfo", _cleansed([
        cmdb(name="web01-renamed", fqdn="web01.corp.local", cpu_core_count="8")]))
    await merge(app_pool, tenant, renamed)
    [web] = (await assets_by_name(app_pool, tenant)).values()
    assert (web["name"], web["cpu_cores"]) == ("web01-renamed", 8), "a renamed VM re-imported is the same asset"


DATED_HEADERS = ["name", "fqdn", "ip_address", "Last modified", "Exported at"]


async def test_a_records_own_date_decides_not_its_files_export_date(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    def dated(**values: str) -> dict[str, str]:
        return _row(DATED_HEADERS, exported_at="2024-07-01", **values)

    export = await add_import(app_pool, tenant, "cmdb.csv", None, _cleansed([
        dated(name="app01", fqdn="app01.corp.local", ip_address="10.0.0.2", last_modified="2024-06-01"),
        dated(name="app01", fqdn="app01.corp.local", ip_address="10.0.0.1", last_modified="2023-01-01"),
        dated(name="app02", fqdn="app02.corp.local", ip_address="10.0.1.2", last_modified="2024-06-01"),
        dated(name="app02", fqdn="app02.corp.local", ip_address="10.0.1.1", last_modified="2024-99-99"),  # no date
    ]))
    await merge(app_pool, tenant, export)
    assets = await assets_by_name(app_pool, tenant)
    assert (assets["app01"]["ip_address"], assets["app02"]["ip_address"]) == ("10.0.0.2", "10.0.1.2")
    assert assets["app01"]["field_lineage"]["ip_address"]["record_date"] == "2024-06-01"


async def test_listed_names_match_assets_by_name_or_host(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    inventory = await add_import(app_pool, tenant, "cmdb.csv", None, _cleansed([
        cmdb(name="web01.corp.local"), cmdb(name="ASSET-7", host_name="web02")]))
    await merge(app_pool, tenant, inventory)
    portfolio = await add_import(app_pool, tenant, "apps.csv", "tidal_applications", [])
    listed = {"database": ["shared01", "web01"], "server": ["web01", "WEB02", "shared01", "app09"]}
    async with tenant_transaction(app_pool, tenant.client_id, tenant.engagement_id) as conn:
        await conn.execute("UPDATE migration.data_imports SET bundle_report = jsonb_build_object('listed_assets',"
                           " $2::jsonb) WHERE id = $1", portfolio, listed)
        await conn.execute(sql("assets_listed_from_import"), portfolio, tenant.client_id, tenant.engagement_id,
                           None, None)
    stubs = await fetch(app_pool, tenant, "SELECT name, asset_type FROM migration.assets WHERE data_import_id = $1"
                                          " ORDER BY name", portfolio)
    assert [(s["name"], s["asset_type"]) for s in stubs] == [("app09", "server"), ("shared01", "server")]


CMF_CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus" / "cloud-migration-factory-on-aws__server-list.csv"


async def test_the_cloud_migration_factory_sample_keeps_its_eight_servers(app_pool: asyncpg.Pool) -> None:
    """The public CMF sample gives Server8 Server6's FQDN (SOURCES.md): eight servers, the pair flagged."""
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [CMF_CORPUS])
    servers = {r["name"]: r for r in await rows(app_pool, e.ref, "SELECT id, name, fqdn FROM migration.assets")}
    assert sorted(servers) == [f"Server{n}" for n in range(1, 9)]
    assert servers["Server8"]["fqdn"] == servers["Server6"]["fqdn"] == "server6.example.local"
    flagged = await rows(app_pool, e.ref, "SELECT asset_id, other_asset_id, status FROM migration.asset_merge_conflicts"
                                          " WHERE field = 'asset'")
    assert flagged == [{"asset_id": servers["Server6"]["id"], "other_asset_id": servers["Server8"]["id"],
                        "status": "open"}]


async def test_across_imports_the_later_dated_record_wins_an_older_one_does_not(
    app_pool: asyncpg.Pool, tenant: RawTenant
) -> None:
    cmdb_import = await add_import(app_pool, tenant, "cmdb_ci_server.csv", "servicenow_cmdb_ci", _cleansed([
        snow(name="app01", fqdn="app01.corp.local", ip_address="10.0.0.1", sys_updated_on="2024-01-10 08:00:00")]))
    await merge(app_pool, tenant, cmdb_import)
    [app] = (await assets_by_name(app_pool, tenant)).values()
    assert app["field_lineage"]["ip_address"]["record_date"] == "2024-01-10"

    # a spreadsheet ranks below the CMDB, but its record is dated later: the dates decide first
    sheet = await add_import(app_pool, tenant, "servers.csv", "generic", _cleansed([
        snow(name="app01", fqdn="app01.corp.local", ip_address="10.0.0.2", sys_updated_on="2024-03-01T09:00:00")]))
    await merge(app_pool, tenant, sheet)
    [app] = (await assets_by_name(app_pool, tenant)).values()
    assert app["ip_address"] == "10.0.0.2"
    assert app["field_lineage"]["ip_address"] == {"data_import_id": str(sheet), "row_number": 1,
                                                  "source_format": "generic", "record_date": "2024-03-01"}
    [replaced] = await conflicts(app_pool, tenant)
    assert (replaced["field"], replaced["kept_value"], replaced["incoming_value"], replaced["data_import_id"],
            replaced["row_number"], replaced["status"]) == ("ip_address", "10.0.0.2", "10.0.0.1", cmdb_import, 1,
                                                            "resolved")
    assert replaced["resolution"] == "replaced by a record dated 2024-03-01" and replaced["resolved_at"] is not None

    # a discovery tool ranks above both, but its record is older: it does not replace, it is an open conflict
    scan = await add_import(app_pool, tenant, "azure_servers.csv", "azure_migrate", _cleansed([
        snow(name="app01", fqdn="app01.corp.local", ip_address="10.0.0.3", sys_updated_on="2023-12-24")]))
    await merge(app_pool, tenant, scan)
    [app] = (await assets_by_name(app_pool, tenant)).values()
    assert app["ip_address"] == "10.0.0.2" and app["field_lineage"]["ip_address"]["data_import_id"] == str(sheet)
    older = [c for c in await conflicts(app_pool, tenant) if c["data_import_id"] == scan]
    assert [(c["field"], c["kept_value"], c["incoming_value"], c["status"]) for c in older] == [
        ("ip_address", "10.0.0.2", "10.0.0.3", "open")]


async def test_without_dates_the_higher_ranked_source_keeps_its_value(app_pool: asyncpg.Pool, tenant: RawTenant) -> None:
    def server(cores: str) -> list[tuple]:
        return _cleansed([cmdb(name="web01", host_name="web01", cpu_core_count=cores)])

    intake = await add_import(app_pool, tenant, "intake.csv", "aws_cmf", server("2"))
    await merge(app_pool, tenant, intake)
    rvtools = await add_import(app_pool, tenant, "RVTools_tabvInfo.csv", "rvtools_vinfo", server("8"))
    await merge(app_pool, tenant, rvtools)
    [web] = (await assets_by_name(app_pool, tenant)).values()
    assert web["cpu_cores"] == 8, "a discovery tool's value replaces an intake form's"

    cmdb_import = await add_import(app_pool, tenant, "cmdb_ci_server.csv", "servicenow_cmdb_ci", server("4"))
    await merge(app_pool, tenant, cmdb_import)
    [web] = (await assets_by_name(app_pool, tenant)).values()
    assert web["cpu_cores"] == 8, "a CMDB imported later does not replace a discovery tool's value"
    assert web["field_lineage"]["cpu_cores"]["data_import_id"] == str(rvtools)
    found = {(c["kept_value"], c["incoming_value"], c["data_import_id"], c["status"])
             for c in await conflicts(app_pool, tenant) if c["field"] == "cpu_cores"}
    assert found == {(8, 2, intake, "open"), (8, 4, cmdb_import, "open")}, "both losers stay for review"


def test_every_inventory_format_has_a_source_rank() -> None:
    inventory = {f for f, fmt in FORMATS.items() if fmt.role == "inventory"}
    assert set(SOURCE_KINDS) == inventory
    ranks = source_priorities()
    assert ranks["rvtools_vinfo"] > ranks["servicenow_cmdb_ci"] > ranks["aws_cmf"] == ranks["generic"] == 0
