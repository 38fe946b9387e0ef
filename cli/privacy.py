"""`privacy ...`: the right to be forgotten: erase a person or a whole client everywhere the platform keeps them.

Platform administrators only (the database checks the login, docs/privacy.md); both commands are destructive
and ask for `--yes`.
"""

from __future__ import annotations

from uuid import UUID

import typer
from temporalio.client import Client

from cli.common import EXIT_USAGE, JsonOption, console, print_error, print_json, run_async, session
from cli.input_checks import usage_check
from db import privacy, tenancy
from domain.privacy import rows_summary
from runtime import temporal_erasure

app = typer.Typer(no_args_is_help=True,
                  help="Erase a person's or a client's personal data, with a record of the erasure.")

YesOption = typer.Option(False, "--yes", help="Confirm the erasure: it cannot be undone.")


def _confirmed(yes: bool, what: str) -> None:
    if not yes:
        print_error(f"erasing {what} cannot be undone: run the command again with --yes")
        raise typer.Exit(EXIT_USAGE)


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


@app.command("erase-user")
@run_async
async def erase_user(
    email: str = typer.Argument(..., callback=usage_check(tenancy.checked_email), help="The person's e-mail."),
    new_owner: str = typer.Option(None, "--new-owner", callback=usage_check(tenancy.checked_email),
                                  help="E-mail of the person who takes over the engagements the erased one "
                                       "alone owns."),
    yes: bool = YesOption,
    as_json: bool = JsonOption,
) -> None:
    """Erase a person: their e-mail and name pseudonymised everywhere (erased-user-<hash>), their logins and
    memberships removed; decisions they made stay, attributed to the pseudonym."""
    _confirmed(yes, email)
    async with session() as s:
        if not s.me.platform_admin:
            raise privacy.ErasureError("only a platform administrator erases people")
        erasure = await privacy.erase_user(s.pool, email, new_owner)
        retention = await temporal_erasure.retention(s.client) if s.client else None
    if as_json:
        print_json({"email": email, "already_erased_at": erasure.already_erased_at, "rows": erasure.rows,
                    "new_owner_of": erasure.new_owner_of, "logins_kept": erasure.logins_kept,
                    "temporal_retention_days": retention.days if retention else None})
        return
    if erasure.already_erased_at:
        _say(f"{email} was already erased on {erasure.already_erased_at:%Y-%m-%d %H:%M} UTC: nothing left to erase")
        return
    notes = []
    if erasure.new_owner_of:
        notes.append(f"{new_owner} now owns {', '.join(erasure.new_owner_of)}")
    if erasure.logins_kept:
        notes.append(f"login(s) {', '.join(erasure.logins_kept)} not created by the platform: a database "
                     "administrator drops them (DROP ROLE)")
    notes.append("Temporal histories of their engagements' workflows keep what they typed until the namespace's "
                 f"retention ({f'{retention.days} days' if retention else 'see the server'}) after each closes "
                 "(docs/privacy.md)")
    _say(f"erased {email}: {rows_summary(erasure.rows)}; " + "; ".join(notes))


async def _delete_leftover_executions(temporal: Client, client: str, previous: privacy.Erasure) -> None:
    """A client erased before: the Temporal executions a run that died after the database's commit left behind
    (its engagements are on the erasure's record) terminated and deleted."""
    try:
        client_id: UUID | None = UUID(client)
    except ValueError:
        client_id = None
    executions = await temporal_erasure.client_executions(temporal, client_id, previous.engagement_ids)
    await temporal_erasure.terminate(temporal, executions, reason="client erased")
    deleted = await temporal_erasure.delete(temporal, executions)
    left = f"{deleted} leftover Temporal execution(s) deleted" if deleted else "nothing left to erase"
    _say(f"client {client} was already erased on {previous.already_erased_at:%Y-%m-%d %H:%M} UTC: {left}")


@app.command("erase-client")
@run_async
async def erase_client(
    client: str = typer.Argument(..., help="The client's id, slug or name."),
    force: bool = typer.Option(False, "--force", help="Terminate the client's running engagements."),
    yes: bool = YesOption,
    as_json: bool = JsonOption,
) -> None:
    """Erase a client: every row of the tenant deleted (logs, audit and uploaded files included), its Temporal
    workflows terminated and deleted, and its people who work for no other client erased as `erase-user` does."""
    _confirmed(yes, f"client {client}")
    async with session() as s:
        if not s.me.platform_admin:
            raise privacy.ErasureError("only a platform administrator erases clients")
        assert s.client is not None
        try:
            client_id = await tenancy.find_client(s.pool, client)
        except tenancy.TenancyError:
            if previous := await privacy.previous_erasure(s.pool, "client", client):
                await _delete_leftover_executions(s.client, client, previous)
                return
            raise
        engagements = [e["id"] for e in await tenancy.list_engagements(s.pool, client_id, archived=True)]
        executions = await temporal_erasure.client_executions(s.client, client_id, engagements)
        running = sum(e.running for e in executions)
        if running and not force:
            raise privacy.ErasureError(f"{running} workflow(s) of client {client} are running: cancel its engagements "
                                       "first (`cancel ENGAGEMENT`) or add --force to terminate them")
        terminated = await temporal_erasure.terminate(s.client, executions, reason="client erased")
        erasure = await privacy.erase_client(s.pool, client_id)
        # runs that started meanwhile go too
        known = {(e.workflow_id, e.run_id) for e in executions}
        executions += [e for e in await temporal_erasure.client_executions(s.client, client_id,
                                                                           erasure.engagement_ids)
                       if (e.workflow_id, e.run_id) not in known]
        await temporal_erasure.terminate(s.client, executions, reason="client erased")
        deleted = await temporal_erasure.delete(s.client, executions)
    if as_json:
        print_json({"client": client, "id": str(client_id), "rows": erasure.rows, "people": erasure.people,
                    "people_rows": erasure.people_rows, "workflows_terminated": terminated,
                    "workflows_deleted": deleted, "logins_kept": erasure.logins_kept})
        return
    kept = (f"; login(s) {', '.join(erasure.logins_kept)} not created by the platform: a database administrator "
            "drops them (DROP ROLE)") if erasure.logins_kept else ""
    _say(f"erased client {client}: {rows_summary(erasure.rows)}; {erasure.people} of its people erased "
         f"({rows_summary(erasure.people_rows)}); Temporal: {terminated} workflow(s) terminated, {deleted} "
         f"execution(s) deleted{kept}")
