"""`ops ...`: operating the platform: scheduled maintenance (partitions, retention, archive) and backups."""

from __future__ import annotations

from pathlib import Path

import typer

from cli import maintenance, paths, workers
from cli.common import console, run_async
from runtime import backups
from runtime.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Operate the platform: scheduled maintenance and backups.")
app.add_typer(maintenance.schedules_app, name="schedules")
app.add_typer(maintenance.retention_app, name="retention")
app.add_typer(workers.app, name="workers")

SuperuserUrlOption = typer.Option(None, "--superuser-url", envvar="DATABASE_SUPERUSER_URL", show_default=False,
                                  help="A superuser (or BYPASSRLS) URL of the platform's database; unset: the "
                                       "embedded one's superuser.")


@app.command("backup")
@run_async
async def ops_backup(
    out: Path = typer.Option(..., "--out", parser=paths.given_path,
                             help="File to write: NAME.dump (the whole database) or, with --client, NAME.tgz."),
    client: str = typer.Option(None, "--client", help="Back up this client only (id, slug or name)."),
    superuser_url: str = SuperuserUrlOption,
) -> None:
    """Back up the whole database (pg_dump custom format) or one client's rows (a tar of COPY files with a
    manifest), read in one snapshot past row-level security. The file is readable by its owner only."""
    paths.output_file(out, {".tgz": "client"} if client else {".dump": "database"})
    target = await backups.platform_database(get_settings(), superuser_url)
    console.print(await backups.back_up(target, out, client), highlight=False)


@app.command("restore")
@run_async
async def ops_restore(
    backup: Path = typer.Argument(..., parser=paths.given_path, help="A file `ops backup` wrote."),
    clean: bool = typer.Option(False, "--clean", help="Replace everything in a database that holds data "
                                                      "(a whole-database restore only)."),
    force: bool = typer.Option(False, "--force", help="Restore a client this database erased (right to be "
                                                      "forgotten), or one whose people it erased (a client "
                                                      "restore only)."),
    superuser_url: str = SuperuserUrlOption,
) -> None:
    """Restore a backup: the whole database into one `db bootstrap` made (refused where data is, unless --clean),
    or one client into a database of the same schema version that lacks it (refused where the client or one of
    its people was erased, unless --force)."""
    settings = get_settings()
    target = await backups.platform_database(settings, superuser_url)
    console.print(await backups.restore(target, backup, clean=clean, force=force,
                                        staging_root=settings.data_dir / "restore"), highlight=False)
