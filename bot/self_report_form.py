"""The farmer's self-report (风险预警户申请书) as a questionnaire."""

from __future__ import annotations

from bot.questionnaire import Questionnaire, Step
from policy.answers import Choice

CAUSES: tuple[Choice, ...] = (
    Choice("illness", "生病住院", ("生病", "大病", "住院", "看病", "疾病", "病", "手术", "癌")),
    Choice("disability", "残疾", ("残疾", "残废", "伤残", "瘫痪", "残")),
    Choice("disaster", "受灾", ("灾", "洪水", "地震", "塌", "泥石流", "冰雹", "火灾", "房子倒",
                              "干旱", "旱", "绝收", "减产", "猪瘟", "瘟", "牲口死", "牛死",
                              "猪死", "羊死", "庄稼")),
    Choice("schooling", "孩子上学", ("上学", "读书", "学费", "念书", "大学", "上学费")),
    Choice("accident", "意外事故", ("意外", "车祸", "事故", "摔", "受伤", "断了", "骨折")),
    Choice("job_loss", "没活干、失业", ("失业", "没活", "没工作", "打工", "下岗", "没事做")),
    Choice("other", "其他", ("其他", "别的", "其它")),
)

CAUSE_LABELS = {choice.key: choice.label for choice in CAUSES}

SELF_REPORT = Questionnaire(
    kind="self_report",
    steps=(
        Step("name", "申请人姓名", "name", aliases=("名字", "姓名")),
        # the registry look-up after the ID compares the name: a changed name repeats it
        Step("id_number", "身份证号", "id_number", allow_unknown=True, depends_on=("name",),
             aliases=("身份证", "身份证号码", "证件号")),
        Step("village", "村和组", "text", aliases=("村", "组", "地址", "住址")),
        Step("household_size", "家庭人口", "count", minimum=1, maximum=30,
             aliases=("人口", "人数", "几口人")),
        Step("cause", "困难原因", "choice", choices=CAUSES, aliases=("原因", "困难")),
        Step("occurred_on", "发生时间", "date", allow_unknown=True, aliases=("时间", "日期")),
        Step("rigid_expense", "预计要花的钱", "amount", allow_unknown=True,
             aliases=("花的钱", "花费", "费用", "开支")),
        Step("reimbursed", "已报销或补助", "amount", allow_unknown=True,
             not_more_than="rigid_expense", aliases=("报销", "补助")),
        Step("income_expected", "今年预计家庭收入", "amount", allow_unknown=True,
             aliases=("今年收入", "今年的收入")),
        Step("income_last_year", "去年家庭收入", "amount", allow_unknown=True,
             aliases=("去年收入", "去年的收入")),
        Step("description", "情况说明", "text", optional=True, aliases=("说明", "情况")),
        Step("evidence", "照片或语音", "evidence", optional=True),
        Step("phone", "联系电话", "phone", aliases=("电话", "电话号码", "手机", "手机号", "号码")),
        Step("confirm", "确认提交", "confirm"),
    ),
)
