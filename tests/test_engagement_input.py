"""Values a person types are checked before anything is written, and a refusal is one plain line.

The CLI runs in its own process, as a person runs it. Usage errors (exit 2) are answered while the command
line is parsed, with servers that do not exist configured, so reaching one would fail the test; refusals that
need the database (exit 1) run against the test database and leave nothing behind. Bad values stored before
these checks existed, or by hand, reach real workflows on real Temporal servers with a worker: the reminder
interval is held within its bounds, and planning past the calendar's last day fails the phase in one line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import pytest
from temporalio.api.enums.v1 import EventType

from db import tenancy
from db.pool import tenant_transaction
from db.queries import sql
from runtime import engagement_control as control
from tests.conftest import TestDatabase, give_login, make_engagement
from tests.flow_helpers import fetchval, inventory_file, running_worker, wait_for

ROOT = Path(__file__).resolve().parent.parent
NOWHERE = {"DATABASE_URL": "postgresql://migration_app:x@127.0.0.1:1/migration", "TEMPORAL_ADDRESS": "127.0.0.1:1"}
USAGE = "(Usage: starter.py "


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def line(self) -> str:
        """The one line on stderr."""
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        return lines[0]


def _environment(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(MIGRATION_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING", **settings)
    return env


def run_cli(env: dict[str, str], *args: str) -> Outcome:
    import subprocess

    result = subprocess.run([sys.executable, str(ROOT / "starter.py"), *args], capture_output=True, text=True,
                            env=env, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=300)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return Outcome(result.returncode, result.stdout, result.stderr)


async def cli(env: dict[str, str], *args: str) -> Outcome:
    return await asyncio.to_thread(run_cli, env, *args)


async def refused(env: dict[str, str], *args: str, message: str) -> None:
    """Exit code 1, one line on stderr holding `message`, nothing on stdout."""
    outcome = await cli(env, *args)
    assert outcome.code == 1, (args, outcome)
    assert message in outcome.line, outcome.line
    assert outcome.line.startswith("error: ") and outcome.out == ""


# ------------------------------------------------------------------------------------- usage errors (exit 2)
BAD_USAGE: list[tuple[str, tuple[str, ...], str]] = [  # id, argv, what the line says
    *((f"reminder {hours}", ("engagement", "create", "acme-corp", "PW", "--reminder-hours", hours),
       "Invalid value for '--reminder-hours': the reminder interval is 0.25 to 720 hours (15 minutes to 30 days), "
       f"not {shown}") for hours, shown in (("1e12", "1e+12"), ("1e308", "1e+308"), ("nan", "nan"), ("inf", "inf"),
                                              ("0.00001", "1e-05"), ("0", "0"), ("-3", "-3"))),
    *((f"start {day}", ("engagement", "create", "acme-corp", "PW", "--start-date", day),
       f"Invalid value for '--start-date': the start date {day} is more than 10 years from today: give one from ")
      for day in ("9999-12-31", "0001-01-01")),
    *((f"start {day}", ("engagement", "create", "acme-corp", "PW", "--start-date", day),
       f"Invalid value for '--start-date': '{day}' is not a date: write YYYY-MM-DD") for day in ("2027-02-30", "1/4/27")),
    *((f"owner {email!r}", ("engagement", "create", "acme-corp", "PW", "--owner", email),
       f"Invalid value for '--owner': {email!r} is not an e-mail address: write NAME@DOMAIN, e.g. alice@example.com")
      for email in ("bad owner", "a@", "a@b@c", "a b@c.d", "a\n@c.d", "@b", "not-an-email")),
    ("empty engagement name", ("engagement", "create", "acme-corp", ""),
     "Invalid value for 'name': the engagement name is empty: give 1 to 200 characters"),
    ("engagement name with a newline", ("engagement", "create", "acme-corp", "P\nW"),
     "the engagement name holds a line break or control character (U+000A): write it on one line"),
    ("long engagement name", ("engagement", "create", "acme-corp", "W" * 201),
     "the engagement name has 201 characters: at most 200 are allowed"),
    ("engagement name with a slash", ("engagement", "create", "acme-corp", "dc/exit"),
     "the engagement name 'dc/exit' holds a '/', which separates client and engagement in CLIENT/ENGAGEMENT"),
    ("unknown goal", ("engagement", "create", "acme-corp", "PW", "--goals", "happiness=3"),
     "Invalid value for '--goals': unknown business goal 'happiness'; the goals are speed, cost_reduction, "
     "modernisation, managed_services"),
    ("goal without a name", ("engagement", "create", "acme-corp", "PW", "--goals", "=3"),
     "'=3': write GOAL=LEVEL with a level 1-5, e.g. cost_reduction=5 (goals: speed, cost_reduction"),
    ("goal level 9", ("engagement", "create", "acme-corp", "PW", "--goals", "speed=9"), "'speed=9': write GOAL=LEVEL"),
    ("unknown auto-approve phase", ("engagement", "create", "acme-corp", "PW", "--auto-approve", "design"),
     "Invalid value for '--auto-approve': unknown phase 'design'; phases are discovery, assessment"),
    ("unknown learning scope", ("engagement", "create", "acme-corp", "PW", "--learning-scope", "team"),
     "unknown learning scope 'team'; scopes are engagement, client, global"),
    ("tenant id", ("tenant", "create", "Acme Corp", "--id", "not-a-uuid"),
     "Invalid value for '--id': 'not-a-uuid' is not a UUID: write one like 6f1c0b1e-"),
    ("empty client name", ("tenant", "create", " "), "the client name is empty: give 1 to 200 characters"),
    ("client name with a newline", ("tenant", "create", "Acme\nCorp"), "the client name holds a line break"),
    ("client name with a slash", ("tenant", "create", "Acme/Corp"), "the client name 'Acme/Corp' holds a '/'"),
    ("client name without a letter", ("tenant", "create", "*+*"),
     "client name '*+*' needs at least one letter or digit"),
    ("member e-mail", ("engagement", "add-member", "acme-corp/PW", "a b@c.d"),
     "Invalid value for 'email': 'a b@c.d' is not an e-mail address"),
    ("member name", ("engagement", "add-member", "acme-corp/PW", "bob@example.com", "--name", "Bob\x1b[2J"),
     "Invalid value for '--name': the display name holds a line break or control character (U+001B)"),
    ("member role", ("engagement", "add-member", "acme-corp/PW", "bob@example.com", "--role", "boss"),
     "Invalid value for '--role': unknown role 'boss'; roles are owner, approver, contributor, viewer"),
    ("conflict without a decision", ("conflicts", "resolve", "acme-corp/PW", "3f2a9c1e"),
     "error: decide with exactly one of --keep (the asset's value) and --take (the imported one)"),
    ("conflict with both decisions", ("conflicts", "resolve", "acme-corp/PW", "3f2a9c1e", "--keep", "--take"),
     "decide with exactly one of --keep"),
    ("mappings without pairs", ("mappings", "set", "acme-corp/PW"),
     "error: give at least one COLUMN=TARGET or --ignore COLUMN"),
    ("person e-mail", ("people", "add", "a b@c.d", "--login", "ab"),
     "Invalid value for 'email': 'a b@c.d' is not an e-mail address"),
    *((f"login {login!r}", ("people", "add", "a@example.com", "--login", login),
       f"Invalid value for '--login': login {login!r} is not allowed: 1 to 63 lower-case letters, digits and _")
      for login in ("Alice", "migration_app", "pg_monitor", "1st", "a-b", "", "a" * 64)),
    ("person name", ("people", "add", "a@example.com", "--login", "ab", "--name", "A\x1b[2J"),
     "Invalid value for '--name': the display name holds a line break or control character (U+001B)"),
    ("client administrator e-mail", ("tenant", "add-admin", "acme-corp", "not-an-email"),
     "Invalid value for 'email': 'not-an-email' is not an e-mail address"),
    ("bootstrap without a terminal", ("db", "bootstrap", "--superuser-url", "postgresql://postgres@127.0.0.1:1/x"),
     "error: no terminal to ask for the passwords: set MIGRATION_OWNER_PASSWORD and MIGRATION_APP_PASSWORD"),
    ("bootstrap URL", ("db", "bootstrap", "--superuser-url", "postgres-at-db1"),
     "not a PostgreSQL connection URL: write postgresql://USER:PASSWORD@HOST:PORT/DATABASE"),
]


@pytest.fixture(scope="module")
def usage_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Outcome, Path]]:
    """Every bad usage run once, two processes at a time, with servers configured that do not exist."""
    root = tmp_path_factory.mktemp("input-usage")

    def run(index: int) -> tuple[str, tuple[Outcome, Path]]:
        name, argv, _ = BAD_USAGE[index]
        data_dir = root / f"data-{index}"
        return name, (run_cli(_environment(data_dir, **NOWHERE), *argv), data_dir)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, range(len(BAD_USAGE))))


@pytest.mark.parametrize(("name", "message"), [(name, message) for name, _, message in BAD_USAGE],
                         ids=[name for name, _, _ in BAD_USAGE])
def test_a_bad_value_is_a_usage_error_in_one_line(usage_outcomes, name: str, message: str) -> None:
    outcome, data_dir = usage_outcomes[name]
    assert outcome.code == 2, outcome
    assert message in outcome.line, outcome.line
    assert outcome.line.startswith("error: ") and USAGE in outcome.line and "--help" in outcome.line
    assert outcome.out == ""
    assert not data_dir.exists(), "the value was refused only after the command had started"


# ------------------------------------------------------------------------- refusals that need the database
@pytest.fixture
async def db_env(migrated_db: TestDatabase, tmp_path: Path) -> dict[str, str]:
    """The CLI on the test database (commands that need no Temporal), as a platform administrator."""
    return _environment(tmp_path / "data", DATABASE_URL=migrated_db.app_url) | await give_login(migrated_db,
                                                                                                 admin=True)


@pytest.fixture
def stack_env(dev_env, migrated_db: TestDatabase, tmp_path: Path) -> dict[str, str]:
    """The CLI on the test database and the test Temporal server, without a login: each test adds a person's
    (`give_login`)."""
    return _environment(tmp_path / "data", DATABASE_URL=migrated_db.app_url,
                        TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host)


async def _user_count(pool: asyncpg.Pool, email: str) -> int:
    async with pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM migration.users WHERE lower(email) = lower($1)", email)


async def _members(pool: asyncpg.Pool, ref: tenancy.EngagementRef) -> dict[str, str]:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        rows = await conn.fetch("SELECT u.email, m.role FROM migration.engagement_members m "
                                "JOIN migration.users u ON u.id = m.user_id WHERE m.engagement_id = $1", ref.id)
    return {row["email"]: row["role"] for row in rows}


async def _client_admin(admin_env: dict[str, str], db: TestDatabase, pool: asyncpg.Pool,
                        client: str) -> dict[str, str]:
    """The environment of a new administrator of `client`, named by the platform administrator of `admin_env`."""
    email = f"lead-{uuid.uuid4().hex[:8]}@example.com"
    named = await cli(admin_env, "tenant", "add-admin", client, email)
    assert (named.code, named.out.strip(), named.err) == (0, f"{email} administers client {client}", ""), named
    return admin_env | await give_login(db, await tenancy.find_user(pool, email))


async def test_an_engagement_and_its_owner_are_created_together_or_not_at_all(db_env, migrated_db, app_pool) -> None:
    suffix = uuid.uuid4().hex[:8]
    created = await cli(db_env, "tenant", "create", f"  Input {suffix} ", "--id", f"{uuid.uuid4()}".upper())
    assert created.code == 0 and created.out.startswith(f"client Input {suffix}: "), created
    client = f"input-{suffix}"
    await refused(db_env, "tenant", "create", f"Input {suffix}", message=f"a client account named 'Input {suffix}'")
    lead = await _client_admin(db_env, migrated_db, app_pool, client)  # client administrators create engagements

    start = date.today() + timedelta(days=30)
    owner = f" Alice.{suffix}@Example.COM "
    made = await cli(lead, "engagement", "create", client, " PW ", "--owner", owner, "--start-date",
                     start.isoformat(), "--reminder-hours", "8", "--goals", "cost_reduction=5", "--auto-approve",
                     "planning", "--json")
    assert made.code == 0 and made.err == "", made
    ref = await tenancy.resolve_engagement(app_pool, f"{client}/PW")
    assert await _members(app_pool, ref) == {f"alice.{suffix}@example.com": "owner"}
    stored = await fetchval(app_pool, ref, "SELECT jsonb_build_object('start', start_date, 'policy', approval_policy, "
                                           "'goals', business_goals) FROM migration.engagements")
    assert stored == {"start": start.isoformat(), "goals": {"cost_reduction": 5},
                      "policy": {"auto_approve": ["planning"], "reminder_interval_seconds": 28800.0}}

    # Retried with another owner: refused before the owner is created, and the engagement is unchanged.
    await refused(lead, "engagement", "create", client, "PW", "--owner", f"bob.{suffix}@example.com",
                  message="this client already has an engagement named 'PW'")
    assert await _user_count(app_pool, f"bob.{suffix}@example.com") == 0
    await refused(lead, "engagement", "create", f"no-such-{suffix}", "PW",
                  message=f"no client account 'no-such-{suffix}'; `tenant list` shows them")
    listed = await cli(lead, "engagement", "list", client, "--json")
    assert listed.code == 0 and listed.out.count('"name": "PW"') == 1, listed


async def test_a_refused_owner_leaves_no_engagement(db_env, app_pool) -> None:
    client_id = await tenancy.create_client(app_pool, f"Input owners {uuid.uuid4().hex[:8]}")
    outcome = await cli(db_env, "engagement", "create", str(client_id), "PW", "--owner", "bad owner")
    assert outcome.code == 2 and "'bad owner' is not an e-mail address" in outcome.line
    assert await tenancy.list_engagements(app_pool, client_id) == []
    # The same order at the library level: the owner is checked before the engagement is written.
    with pytest.raises(tenancy.TenancyError, match="is not an e-mail address"):
        await tenancy.create_engagement(app_pool, client_id, "PW", owner="a@b@c")
    assert await tenancy.list_engagements(app_pool, client_id) == []
    created = await cli(db_env, "engagement", "create", str(client_id), "PW", "--json")
    assert created.code == 0, created
    assert [row["name"] for row in await tenancy.list_engagements(app_pool, client_id)] == ["PW"]
    me = await cli(db_env, "people", "whoami", "--json")
    assert me.code == 0 and json.loads(me.out)["platform_admin"] is True, me
    ref = tenancy.EngagementRef(uuid.UUID(json.loads(created.out)["id"]), client_id, "PW")
    assert await _members(app_pool, ref) == {json.loads(me.out)["email"]: "owner"}, "without --owner: its creator"


async def test_a_platform_administrator_creates_an_engagement_with_another_owner(db_env, app_pool) -> None:
    client_id = await tenancy.create_client(app_pool, f"Input owners {uuid.uuid4().hex[:8]}")
    owner = f"lead-{uuid.uuid4().hex[:8]}@acme.example"
    created = await cli(db_env, "engagement", "create", str(client_id), "PW", "--owner", owner, "--json")
    assert created.code == 0, created
    ref = tenancy.EngagementRef(uuid.UUID(json.loads(created.out)["id"]), client_id, "PW")
    assert await _members(app_pool, ref) == {owner: "owner"}


async def test_the_last_owner_cannot_be_demoted(stack_env, migrated_db, app_pool) -> None:
    suffix = uuid.uuid4().hex[:8]
    alice, bob = f"alice.{suffix}@example.com", f"bob.{suffix}@example.com"
    client_id = await tenancy.create_client(app_pool, f"Input members {suffix}")
    engagement_id = await tenancy.create_engagement(app_pool, client_id, "W1", owner=alice)
    ref = tenancy.EngagementRef(engagement_id, client_id, "W1")
    engagement = str(engagement_id)
    as_alice = stack_env | await give_login(migrated_db, await tenancy.find_user(app_pool, alice))

    await refused(as_alice, "engagement", "add-member", engagement, alice.upper(), "--role", "viewer",
                  message=f"{alice} is the only owner of 'W1', and an engagement needs one to approve: make "
                          "someone else owner first")
    assert await _members(app_pool, ref) == {alice: "owner"}

    added = await cli(as_alice, "engagement", "add-member", engagement, f" Bob.{suffix}@EXAMPLE.com", "--role",
                      "owner", "--name", "Bob B.")
    assert added.code == 0 and added.out.strip() == f"{bob} is owner of W1", added
    as_bob = stack_env | await give_login(migrated_db, await tenancy.find_user(app_pool, bob))
    demoted = await cli(as_bob, "engagement", "add-member", engagement, alice.upper(), "--role", "approver")
    assert demoted.code == 0, demoted
    await refused(as_bob, "engagement", "add-member", engagement, bob, "--role", "contributor",
                  message=f"{bob} is the only owner of 'W1'")
    await refused(as_alice, "engagement", "add-member", engagement, bob, "--role", "contributor",
                  message="only an owner of the engagement or an administrator names its members")
    assert await _members(app_pool, ref) == {alice: "approver", bob: "owner"}
    assert await _user_count(app_pool, alice) == 1, "one user, whatever the case of the e-mail"


async def test_a_malformed_new_user_email_is_refused_in_words(app_pool) -> None:
    with pytest.raises(tenancy.TenancyError, match="is not an e-mail address"):
        await tenancy.ensure_user(app_pool, "a b@c.d")
    with pytest.raises(tenancy.TenancyError, match="^no user 'a@'; add one with `engagement add-member`$"):
        await tenancy.find_user(app_pool, " A@ ")


async def test_a_person_stored_under_the_earlier_email_rule_still_acts(db_env, migrated_db, app_pool) -> None:
    """`ops@localhost` has no dot in its domain: refused for a new person, found as an existing one."""
    e = await make_engagement(app_pool)
    email = f"ops-{uuid.uuid4().hex[:8]}@localhost"
    async with app_pool.acquire() as conn:  # as the rule before it let it in
        user_id = await conn.fetchval(sql("user_upsert"), email, None)
    await tenancy.add_member(app_pool, e.ref, user_id, "contributor")
    with pytest.raises(tenancy.TenancyError, match="is not an e-mail address"):
        tenancy.checked_email(email)
    assert await tenancy.find_user(app_pool, f" {email.upper()} ") == user_id
    as_ops = db_env | await give_login(migrated_db, user_id)
    await refused(as_ops, "strategy", "set", str(e.ref.id), "no-such-asset", "rehost", "--reason", "why",
                  message="no-such-asset")


async def _nobodys_login(db: TestDatabase) -> dict[str, str]:
    """A login made by hand, as a person's would be, that no person of the platform holds."""
    login, password = f"p_{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    conn = await asyncpg.connect(db.superuser_url)
    try:
        await conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE migration_person")
    finally:
        await conn.close()
    return {"PGUSER": login, "PGPASSWORD": password}


async def test_a_login_that_is_no_person_or_no_member_is_refused_in_one_line(db_env, migrated_db, app_pool) -> None:
    """Who acts is the login: one no person holds is refused, a person who is no member sees nothing, and a
    viewer may not edit."""
    e = await make_engagement(app_pool)
    command = ("strategy", "set", str(e.ref.id), "no-such-asset", "rehost", "--reason", "why")
    nobody = await _nobodys_login(migrated_db)
    await refused(db_env | nobody, *command,
                  message=f"the database login {nobody['PGUSER']!r} is not a person of the platform: an administrator "
                          "adds people with `people add`")
    await refused(db_env | await give_login(migrated_db), *command, message=f"no engagement '{e.ref.id}'")
    await refused(db_env | await give_login(migrated_db, e.viewer_id), *command,
                  message=f"may not override strategies in {e.ref.name!r} (role: viewer; allowed: owner, approver, "
                          "contributor)")


# --------------------------------------------------------------------- stored values, real workflows
async def _set_policy(pool: asyncpg.Pool, ref: tenancy.EngagementRef, policy: dict) -> None:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("UPDATE migration.engagements SET approval_policy = $2 WHERE id = $1", ref.id, policy)


@pytest.mark.parametrize(("stored", "reminder"), [(3.6e15, timedelta(days=30)), (0.036, timedelta(minutes=15)),
                                                  ("soon", timedelta(hours=24))],
                         ids=["1e12 hours", "a tenth of a second", "not a number"])
async def test_a_stored_reminder_interval_out_of_bounds_is_held_within_them(
    time_env, app_pool, tmp_path: Path, caplog: pytest.LogCaptureFixture, stored, reminder: timedelta
) -> None:
    caplog.set_level(logging.INFO)
    e = await make_engagement(app_pool)
    await _set_policy(app_pool, e.ref, {"auto_approve": [], "reminder_interval_seconds": stored})
    async with running_worker(time_env.client, app_pool) as queue:
        await control.launch(time_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        await wait_for(time_env.client, e.ref, lambda st: st.awaiting_approval == "discovery")
        history = await control.handle(time_env.client, e.ref).fetch_history()
        await control.cancel(time_env.client, app_pool, e.ref, e.owner_id)
    timers = [ev.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta() for ev in history.events
              if ev.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    assert timers == [reminder]
    warned = [r.getMessage() for r in caplog.records if "reminder_interval_seconds" in r.getMessage()]
    assert warned and all(r.levelno == logging.WARNING for r in caplog.records if "reminder_interval" in r.getMessage())
    assert "Traceback" not in caplog.text


async def test_planning_past_the_calendars_last_day_fails_the_phase_in_one_line(
    dev_env, app_pool, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    e = await make_engagement(app_pool, policy=tenancy.approval_policy(["discovery", "assessment"], 24))
    async with tenant_transaction(app_pool, e.ref.client_account_id, e.ref.id) as conn:  # stored before the bound
        await conn.execute("UPDATE migration.engagements SET start_date = '9999-12-25' WHERE id = $1", e.ref.id)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        st = await wait_for(dev_env.client, e.ref, lambda st: st.status == "failed", timeout=300)
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)
    message = ("wave 1 would end after 2999-12-31, the plan calendar's last day: the start date 9999-12-25 is too late "
               "(or the waves of 14 days too long)")
    assert st.phase == "planning" and st.phase_summaries["planning"] == {"error": message}
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.migration_waves") == 0
    refusals = [r for r in caplog.records if message in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.INFO, "refused once, not retried"
    assert "Traceback" not in caplog.text and "OverflowError" not in caplog.text


async def test_rollback_goes_only_to_an_earlier_phase(dev_env, app_pool, migrated_db, stack_env,
                                                     tmp_path: Path) -> None:
    e = await make_engagement(app_pool, policy=tenancy.approval_policy(["assessment", "planning"], 24))
    owner = stack_env | await give_login(migrated_db, e.owner_id)
    engagement = str(e.ref.id)
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [inventory_file(tmp_path, 12)], queue)
        first = await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "discovery")
        await refused(owner, "rollback", engagement, "discovery",
                      message="cannot roll back to discovery, the phase awaiting a decision: a rollback returns to an "
                              "earlier phase; `reject --reason` runs discovery again")
        await refused(owner, "rollback", engagement, "planning",
                      message="cannot roll back forward to planning from discovery")
        await control.approve(dev_env.client, app_pool, e.ref, "discovery", e.owner_id)
        waiting = await wait_for(dev_env.client, e.ref, lambda st: st.awaiting_approval == "execution", timeout=300)
        await refused(owner, "rollback", engagement, "execution",
                      message="cannot roll back to execution, the phase awaiting a decision: a rollback returns to an "
                              "earlier phase; `reject --reason` runs execution again")
        after = await control.status(dev_env.client, e.ref)
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)
    assert after.phase_flow_ids == waiting.phase_flow_ids, "no phase ran again"
    assert waiting.phase_flow_ids["discovery"] == first.phase_flow_ids["discovery"]
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.phase_approvals "
                                           "WHERE decision = 'rolled_back'") == 0
