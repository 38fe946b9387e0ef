"""`people add|whoami|password`: people act under PostgreSQL logins of their own.

Who acts is what the database says of the connection's login (`session_user`), never an option a person types:
each person connects with their own login, from the libpq environment (PGUSER and PGPASSWORD, PGPASSFILE or
~/.pgpass, PGSERVICE). On the embedded default the person who runs it is its first platform administrator.
"""

from __future__ import annotations

import typer

from cli.common import JsonOption, console, print_json, run_async, session
from cli.input_checks import usage_check
from db import people, tenancy

app = typer.Typer(no_args_is_help=True, help="People and their logins.")


@app.command("add")
@run_async
async def people_add(
    email: str = typer.Argument(..., callback=usage_check(tenancy.checked_email)),
    login: str = typer.Option(..., "--login", callback=usage_check(people.checked_login),
                              help="Their PostgreSQL login: lower-case letters, digits and _."),
    name: str = typer.Option(None, callback=usage_check(lambda value: tenancy.checked_name("display name", value)),
                             help=f"Display name (1-{tenancy.NAME_MAX_CHARS} characters on one line)."),
    as_json: bool = JsonOption,
) -> None:
    """Give a person a login of their own (platform and client administrators); prints its password once."""
    async with session(temporal=False) as s:
        user_id, password = await people.add_person(s.pool, email, login, name)
    if as_json:
        print_json({"id": str(user_id), "email": email, "login": login, "password": password})
        return
    console.print(f"{email} logs in as {login} with password {password} (shown once: hand it over safely; "
                  "`people password` changes it). Owners add them to engagements with `engagement add-member`.",
                  highlight=False, markup=False, soft_wrap=True)


@app.command("whoami")
@run_async
async def people_whoami(as_json: bool = JsonOption) -> None:
    """Who the database says you are."""
    async with session(temporal=False) as s:
        me = s.me
    if as_json:
        print_json({"id": str(me.id), "email": me.email, "login": me.login, "platform_admin": me.platform_admin})
        return
    console.print(f"{me.email} (login {me.login}{', platform administrator' if me.platform_admin else ''})",
                  highlight=False, markup=False)


@app.command("password")
@run_async
async def people_password() -> None:
    """Give your own login a new password; prints it once (store it in ~/.pgpass)."""
    async with session(temporal=False) as s:
        password = await people.change_password(s.pool)
        login = s.me.login
    console.print(f"login {login}: new password {password} (shown once)", highlight=False, markup=False)

