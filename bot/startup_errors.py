"""Plain messages for the mistakes people make starting a command: a database address that is
mistyped or unreachable, a port already taken, standard output closed. Said on stderr with the
setting to check, never a traceback; passwords in database addresses are never shown."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

from sqlalchemy import exc as db_errors
from sqlalchemy.engine import make_url

from bot.settings import database_url
from storage.engine import DatabaseFolderError, is_sqlite

EXAMPLE_URL = "sqlite+aiosqlite:///var/fangpin.db"
OURS = frozenset({"bot", "handlers", "policy", "scheduler", "storage"})


def shown_database_url(url: str | None = None) -> str:
    """The database address with its password hidden (or a note that it cannot be read)."""
    url = url or database_url()
    try:
        return make_url(url).render_as_string(hide_password=True)
    except db_errors.ArgumentError:
        return "（无法解析的地址）"


class MissingDatabaseFile(Exception):
    """A command that works on stored data found no SQLite file where the URL points."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def missing_database_file(url: str | None = None) -> str | None:
    """The SQLite file the URL names when it is not there; None when it is, or the database is
    a server's (or the URL is unreadable: database_error_message says so on connecting)."""
    url = url or database_url()
    try:
        database = make_url(url).database or "" if is_sqlite(url) else ""
    except db_errors.ArgumentError:
        return None
    if database in ("", ":memory:") or Path(database).is_file():
        return None
    return database


def require_database_file(url: str | None = None) -> None:
    """For a command that works on stored data: a mistyped FANGPIN_DATABASE_URL must not
    quietly create an empty database and import into it or export from it."""
    missing = missing_database_file(url)
    if missing is not None:
        raise MissingDatabaseFile(missing)


def database_error_message(error: BaseException) -> str | None:
    """What to tell the user when `error` came from reaching the database; None otherwise."""
    if isinstance(error, db_errors.ArgumentError):  # also a driver that is not installed
        return (f"FANGPIN_DATABASE_URL 不是可用的数据库地址：{shown_database_url()}。"
                f"默认是 {EXAMPLE_URL}；PostgreSQL 写作 postgresql+asyncpg://用户@主机:端口/库名")
    if isinstance(error, ModuleNotFoundError) and (error.name or "").split(".")[0] not in OURS:
        return (f"FANGPIN_DATABASE_URL 要用的数据库驱动 {error.name} 没有安装："
                f"{shown_database_url()}。支持 sqlite+aiosqlite 与 postgresql+asyncpg")
    if isinstance(error, MissingDatabaseFile):
        return (f"找不到数据库文件 {error.path}：请检查 FANGPIN_DATABASE_URL 是否写错；"
                "新装的系统请先运行 fangpin db upgrade（或 make run）建好数据库")
    if isinstance(error, DatabaseFolderError):
        return (f"无法建立数据库文件夹 {error.filename}（{error.strerror}）："
                "请检查 FANGPIN_DATABASE_URL 中的路径")
    if isinstance(error, db_errors.OperationalError | db_errors.InterfaceError):
        # only the class: a driver's message may quote a statement's values (ID numbers)
        reason = type(error.orig or error).__name__
    elif isinstance(error, ConnectionError | socket.gaierror | TimeoutError):
        reason = error.strerror or type(error).__name__  # refused, unknown host, timed out
    else:
        return None
    return (f"数据库不可用：{shown_database_url()}（{reason}）。"
            "请确认数据库服务已启动、地址无误，或检查 FANGPIN_DATABASE_URL")


def listen_error_message(error: OSError, host: str, port: int) -> str | None:
    """What to tell the user when the server cannot listen on host:port; None otherwise."""
    if error.errno == errno.EADDRINUSE:
        return (f"端口 {port} 已被占用（也许已有一个 fangpin 在运行）。"
                f"请先停掉它，或换一个端口：PORT={port + 1} make run，"
                f"或 fangpin serve --port {port + 1}")
    if error.errno in (errno.EADDRNOTAVAIL, errno.EACCES):
        return (f"无法在 {host}:{port} 上监听（{error.strerror}）：请检查 --host 是本机地址，"
                "1024 以下的端口需要管理员权限")
    return None


CLOSED_STDOUT = "标准输出已关闭，结果无处可写：请去掉 >&-，或重定向到文件"
