"""The `fangpin` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.command_parser import CommandParser
from bot.settings import SettingsError, database_url, load_settings
from bot.startup_errors import (
    CLOSED_STDOUT,
    database_error_message,
    missing_database_file,
    shown_database_url,
)
from bot.stdout_closed import end_quietly


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.access_log import PathOnlyAccessLogger
    from bot.app import create_app
    from bot.process_tuning import tune_garbage_collector
    from bot.startup_errors import listen_error_message

    settings = load_settings().with_overrides(host=args.host, port=args.port)
    if settings.demo:
        print(f"fangpin demo: simulator at http://{settings.host}:{settings.port}/simulator",
              flush=True)
    app = create_app(settings)
    tune_garbage_collector()
    try:
        web.run_app(app, host=settings.host, port=settings.port,
                    access_log_class=PathOnlyAccessLogger,
                    print=lambda text: print(text, flush=True))
    except OSError as exc:
        message = listen_error_message(exc, settings.host, settings.port)
        if message is None:
            raise
        print(f"fangpin：{message}", file=sys.stderr)
        return 2
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade_database

    # Only the database matters here: no WeChat secrets are needed to migrate.
    url = database_url()
    # a new file is said as such, so that a mistyped address shows
    done = "已新建数据库（最新结构）" if missing_database_file(url) else "数据库已是最新结构"
    upgrade_database(url)
    print(f"{done}：{shown_database_url(url)}")
    return 0


def _add_serve(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="serve the WeChat endpoint (and demo pages)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(run=_serve)


def _add_db(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)


def build_parser() -> argparse.ArgumentParser:
    from bot.assessments_command import add_assessments_parser
    from bot.cases_command import add_cases_parser
    from bot.chat_command import add_chat_parser
    from bot.demo_data_command import add_demo_data_parser
    from bot.grade_command import add_grade_parser, run_grade_process
    from bot.import_command import add_import_parser
    from bot.roster_command import add_roster_parser

    parser = CommandParser(prog="fangpin", description="防返贫监测预警 公众号服务")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_serve(subparsers)
    _add_db(subparsers)
    add_demo_data_parser(subparsers)
    add_cases_parser(subparsers)
    add_chat_parser(subparsers)
    add_grade_parser(subparsers)
    subparsers.choices["grade"].set_defaults(run=run_grade_process)
    add_assessments_parser(subparsers)
    add_import_parser(subparsers)
    add_roster_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    if sys.stdout is None and not getattr(args, "out", None):  # started with stdout closed
        print(f"fangpin：{CLOSED_STDOUT}", file=sys.stderr)
        return 2
    try:
        return int(args.run(args) or 0)
    except SettingsError as exc:
        print(f"fangpin: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a database that cannot be reached: said plainly, no traceback
        message = database_error_message(exc)
        if message is None:
            raise
        print(f"fangpin：{message}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `fangpin cases export | head`: the reader has all it wanted
        return end_quietly()


if __name__ == "__main__":
    sys.exit(main())
