"""The command line: settings errors, db upgrade, and the masked case export."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings
from tests.conftest import TOKEN
from tests.registry_fixtures import WIFE_ID, seed_registry
from tests.test_self_report_dialog import Farmer, _walk_to_confirm


def test_missing_secrets_stop_start_up_with_the_names():
    with pytest.raises(SettingsError) as error:
        load_settings({"FANGPIN_WECHAT_TOKEN": "t"})
    message = str(error.value)
    assert "FANGPIN_WECHAT_APPID" in message and "FANGPIN_WECHAT_SECRET" in message
    assert "FANGPIN_WECHAT_TOKEN" not in message.split("missing settings:")[1].split(".")[0]


def test_demo_mode_needs_no_secrets_and_bad_values_are_named():
    settings = load_settings({"FANGPIN_DEMO": "1"})
    assert settings.demo and settings.wechat_token and settings.api_base.endswith("/cgi-bin/")
    with pytest.raises(SettingsError, match="FANGPIN_WECHAT_AES_KEY"):
        load_settings({"FANGPIN_DEMO": "1", "FANGPIN_WECHAT_AES_KEY": "short"})
    with pytest.raises(SettingsError, match="FANGPIN_TIMESTAMP_WINDOW_S"):
        load_settings({"FANGPIN_DEMO": "1", "FANGPIN_TIMESTAMP_WINDOW_S": "five"})
    assert load_settings({"FANGPIN_DEMO": "1", "FANGPIN_TIMESTAMP_WINDOW_S": "0"}
                         ).timestamp_window_s == 0


def test_serve_without_secrets_exits_with_a_clear_message(monkeypatch, capsys):
    for name in ("FANGPIN_DEMO", "FANGPIN_WECHAT_TOKEN", "FANGPIN_WECHAT_APPID",
                 "FANGPIN_WECHAT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve", "--port", "1"]) == 2
    assert "missing settings" in capsys.readouterr().err


async def test_cases_export_masks_ids_names_and_phones(make_client, settings, database_url,
                                                       monkeypatch, capsys, tmp_path):
    await seed_registry(database_url)
    client = await make_client(settings)
    farmer = Farmer(client, "o-export")
    await _walk_to_confirm(farmer, WIFE_ID, True)
    await farmer.says("确认")
    await client.close()
    monkeypatch.setenv("FANGPIN_DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["cases", "export", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["id_number"] == WIFE_ID[:6] + "********" + WIFE_ID[-4:]
    assert row["applicant"] == "李*" and row["phone"] == "138****5678"
    assert (row["status"], row["source"], row["household"]) == ("reported", "自主申报",
                                                                "53012820000000")
    # 25,000 of expense on 35,000 for three people: below the line, so the report is urgent
    assert (row["rigid_expense"], row["cause"], row["urgent"]) == (25000, "生病住院", "是")
    assert row["village"] == "红龙村7组" and row["created_at"].endswith("+08:00")
    out = tmp_path / "cases.csv"
    assert await asyncio.to_thread(
        main, ["cases", "export", "--format", "csv", "--out", str(out)]
    ) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "状态", "状态说明"] and len(rows) == 2
    assert WIFE_ID not in raw.decode("utf-8-sig") and TOKEN not in raw.decode("utf-8-sig")


def test_export_refuses_a_missing_database_and_an_unwritable_file(monkeypatch, tmp_path, capsys,
                                                                  database_url):
    monkeypatch.setenv("FANGPIN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'typo.db'}")
    assert main(["cases", "export"]) == 3
    assert "找不到数据库文件" in capsys.readouterr().err and not (tmp_path / "typo.db").exists()
    monkeypatch.setenv("FANGPIN_DATABASE_URL", database_url)
    from storage.migrate import upgrade_database

    upgrade_database(database_url)
    assert main(["cases", "export", "--format", "csv", "--out", "/nonexistent/dir/x.csv"]) == 1
    assert "无法写入" in capsys.readouterr().err


@pytest.mark.parametrize("command", [
    ["import", "department", "--kind", "health", "health.csv"],
    ["import", "registry", "registry.csv"],
    ["roster", "--area", "红龙村", "--out", "roster.xlsx"],
    ["assessments", "history", "--household", "53012820000000"],
])
def test_commands_on_stored_data_refuse_a_database_file_that_is_not_there(
        monkeypatch, tmp_path, capsys, command):  # fmt: skip
    typo = tmp_path / "no-such-dir" / "typo.db"
    monkeypatch.setenv("FANGPIN_DATABASE_URL", f"sqlite+aiosqlite:///{typo}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "health.csv").write_text("姓名,身份证号,住院总费用\n", "utf-8")
    (tmp_path / "registry.csv").write_text("姓名,身份证号,户编号\n", "utf-8")
    assert main(command) == 3
    err = capsys.readouterr().err
    assert "找不到数据库文件" in err and "FANGPIN_DATABASE_URL" in err and "db upgrade" in err
    assert not typo.parent.exists() and "Traceback" not in err


def test_db_upgrade_needs_only_the_database(monkeypatch, tmp_path, capsys):
    for name in ("FANGPIN_DEMO", "FANGPIN_WECHAT_TOKEN", "FANGPIN_WECHAT_APPID",
                 "FANGPIN_WECHAT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FANGPIN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert main(["db", "upgrade"]) == 0
    assert "已新建数据库" in capsys.readouterr().out and (tmp_path / "x.db").is_file()
    assert main(["db", "upgrade"]) == 0
    assert "数据库已是最新结构" in capsys.readouterr().out


def test_csv_cells_cannot_carry_formulas_and_codes_stay_text():
    from bot.cases_command import csv_cell

    assert csv_cell("village", '=HYPERLINK("http://evil","红龙村")').startswith("'=")
    assert csv_cell("village", "@SUM(1)") == "'@SUM(1)"
    assert csv_cell("village", "红龙村") == "红龙村"
    assert csv_cell("household", "53012810120102001") == '="53012810120102001"'
    assert csv_cell("rigid_expense", 25000) == "25000" and csv_cell("reimbursed", None) == ""


@pytest.mark.parametrize(("url", "said"), [
    ("garbage", "不是可用的数据库地址"),
    ("postgresql+asyncpg://clerk:secret-pw@127.0.0.1:1/x", "数据库不可用"),
    ("postgresql+asyncpg://clerk:secret-pw@no-such-host.invalid/x", "数据库不可用"),
    ("mysql://clerk:secret-pw@127.0.0.1/x", "驱动 MySQLdb 没有安装"),
    ("sqlite+aiosqlite:////proc/no-such-folder/x.db", "无法建立数据库文件夹"),
])
def test_a_database_that_cannot_be_reached_is_said_plainly(monkeypatch, capsys, url, said):
    monkeypatch.setenv("FANGPIN_DATABASE_URL", url)
    commands = [["db", "upgrade"], ["cases", "export"]]
    if url.startswith("sqlite"):
        commands.pop()  # export says "找不到数据库文件" (tested above)
    for command in commands:
        status = main(command)
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err, (command, err)
        assert "secret-pw" not in err and status == 3


def test_a_port_already_taken_is_said_plainly(monkeypatch, capsys, tmp_path):
    import socket

    monkeypatch.setenv("FANGPIN_DEMO", "1")
    monkeypatch.setenv("FANGPIN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    # the collector's settings are the process's: not changed for the tests that follow
    monkeypatch.setattr("bot.process_tuning.tune_garbage_collector", lambda: None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"端口 {port} 已被占用" in err and f"--port {port + 1}" in err


def test_closed_or_full_standard_output_is_said_plainly(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("FANGPIN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdout", None)  # what Python sets when started with >&-
    assert main(["cases", "export"]) == 2
    assert "标准输出已关闭" in capsys.readouterr().err
    assert main(["grade", str(tmp_path / "x.db")]) == 2
    assert "标准输出已关闭" in capsys.readouterr().err
    assert main(["cases", "export", "--out", str(tmp_path / "c.json")]) == 0  # a file is fine
    assert "已导出 0 件" in capsys.readouterr().err
