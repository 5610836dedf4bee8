"""Templates keep their line structure (trim_blocks must not glue lines together)."""

from bot.reply_split import split_for_wechat
from bot.texts import Answer, create_text_environment, render_answer


def _lines(template: str, **context) -> list[str]:
    return render_answer(create_text_environment(), Answer(template, context)).split("\n")


def test_submitted_keeps_each_sentence_on_its_line():
    lines = _lines("self_report/submitted.j2", number="2026-000001", status="待核实", linked=False,
                   assessed=True, earlier=["2026-000000"])
    assert lines[0] == "申报已提交，编号：2026-000001。"
    assert lines[-3].startswith("（档案里暂时没找到") and "2026-000000" in lines[-2]
    assert lines[-1] == "回复“进度”可随时查看，回复“结果”看初步评估。"


def test_open_cases_lists_one_case_per_line():
    cases = [{"number": str(n), "name": "李*", "cause": "因病", "status": "待核实",
              "urgent": "急" if n == 1 else ""} for n in (1, 2)]
    lines = _lines("staff/open_cases.j2", role="村干部", name="张", cases=cases,
                   paired_only=False, total=2)
    assert lines == ["张，您好。", "本辖区待办的申报共2件：", "【急】1 李* 因病 待核实",
                     "2 李* 因病 待核实"]
    lines = _lines("staff/open_cases.j2", role="村干部", name="张", cases=cases,
                   paired_only=False, total=44)
    assert lines[1] == "本辖区待办的申报共44件，先列出最急、最早的2件："
    assert lines[-1].startswith("全部名单")


def test_split_keeps_every_character_within_the_byte_limit():
    text = "\n".join(["第一行" * 50, "短行", "😀" * 700])
    pieces = split_for_wechat(text, 2000)
    assert all(len(piece.encode()) <= 2000 for piece in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
