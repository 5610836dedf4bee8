"""The command line's own mistakes in Chinese: a county clerk should not meet argparse's English.

The usage lines stay as argparse prints them (option names are what is typed); the error line
under them says what is wrong in Chinese and where to read more.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

_SAID_IN_CHINESE = (
    (re.compile(r"the following arguments are required: (.+)"), "缺少必填的参数：{0}"),
    (re.compile(r"argument (\S+): invalid choice: '?(.*?)'? \(choose from (.+)\)"),
     "参数 {0} 不认识“{1}”，可选：{2}"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面要写一个值"),
    (re.compile(r"argument (\S+): expected at least one argument"), "参数 {0} 后面至少要写一个值"),
    (re.compile(r"unrecognized arguments: (.+)"), "不认识的参数：{0}"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.+)"), "参数 {0} 的值 {2} 不对"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "参数 {0} 不能和 {1} 一起用"),
)


_ARGUMENT_NAMES = {"command": "命令", "db_command": "命令", "cases_command": "命令",
                   "import_command": "命令", "assessments_command": "命令", "file": "文件"}


def in_chinese(message: str) -> str:
    for pattern, text in _SAID_IN_CHINESE:
        found = pattern.fullmatch(message)
        if found:
            groups = (_ARGUMENT_NAMES.get(group, group).replace("'", "")
                      for group in found.groups())
            return text.format(*groups)
    return message


class CommandParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：命令写得不对：{in_chinese(message)}。"
                     f"用法见 {self.prog} --help\n")
