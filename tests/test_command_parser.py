"""Mistakes on the command line are said in Chinese, under argparse's usage lines."""

from __future__ import annotations

import pytest

from bot.cli import main


@pytest.mark.parametrize(("argv", "said"), [
    (["import", "department", "--kind", "foo", "x.csv"], "参数 --kind 不认识“foo”，可选：health"),
    (["import", "registry"], "缺少必填的参数：文件"),
    (["roster", "--area"], "参数 --area 后面要写一个值"),
    (["bogus"], "参数 命令 不认识“bogus”"),
    (["grade", "--foo"], "不认识的参数：--foo"),
    (["demo-data", "--seed", "abc"], "参数 --seed 的值 abc 不对"),
])
def test_mistakes_are_said_in_chinese_with_where_to_read_more(capsys, argv, said):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and said in err and "--help" in err
    assert "error:" not in err and "usage:" in err
