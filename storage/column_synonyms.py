"""Header names as offices export them, by the field they mean (data, no code).

A header matches when it equals one of the names after `header_key` (NFKC, no spaces, no
unit suffix such as "(元)", lower case). When two columns of a file mean the same field, the
one whose name comes first in the tuple wins (e.g. 身份证号 before 户主身份证号).
"""

from __future__ import annotations

from types import MappingProxyType

NAME = ("姓名", "人员姓名", "成员姓名", "患者姓名", "学生姓名", "死者姓名", "残疾人姓名",
        "救助对象姓名", "对象姓名", "户主姓名", "户主")  # fmt: skip
ID_NUMBER = ("证件号码", "身份证号", "身份证号码", "公民身份号码", "公民身份证号码",
             "身份证件号", "身份证件号码", "居民身份证号码", "居民身份证号", "身份证", "证件号",
             "患者身份证号", "学生身份证号", "残疾人身份证号", "户主身份证号", "户主身份证号码",
             "户主证件号码")  # fmt: skip
TOWNSHIP = ("乡(镇)", "乡镇", "乡镇(街道)", "乡(镇、街道)", "所在乡镇", "乡镇街道", "镇", "乡")
VILLAGE = ("行政村", "村(社区)", "村", "所在村", "村委会", "社区", "行政村(社区)")
GROUP = ("自然村/组", "自然村", "村民小组", "组", "村组", "小组", "所在组")

REGISTRY: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "household_code": ("户编号", "户码", "家庭编号", "户主编号", "农户编号"),
    "county": ("县", "县(市、区)", "县(市区)", "县区", "县(区)", "所属县", "县市区"),
    "township": TOWNSHIP,
    "village": VILLAGE,
    "group": GROUP,
    "category": ("户类型", "户属性", "农户类型", "户类别", "监测对象类别", "人员类别"),
    "exit_year": ("脱贫年度", "脱贫年份", "脱贫时间"),
    "name": NAME,
    "id_number": ID_NUMBER,
    "relation": ("与户主关系", "与户主的关系", "家庭关系"),
    "household_size": ("家庭人口数", "家庭人口", "人口数", "户人口数", "家庭成员数"),
    "labour": ("劳动技能", "劳动能力", "劳动力状况"),
    "health": ("健康状况", "身体状况"),
    "schooling": ("在校生状况", "在校情况", "就学状况", "在校生情况"),
    "dibao": ("是否享受低保", "是否低保", "低保户", "享受低保"),
    "tekun": ("是否特困供养", "是否特困", "特困供养", "是否特困人员"),
    "income_per_capita": ("家庭年人均纯收入", "人均纯收入", "家庭人均纯收入", "年人均纯收入"),
    "income_wage": ("工资性收入", "务工收入"),
    "income_production": ("生产经营性收入", "经营性收入", "生产经营收入"),
    "income_transfer": ("转移性收入",),
    "income_property": ("财产性收入",),
    "phone": ("联系电话", "电话", "手机号", "手机号码", "联系方式"),
})  # fmt: skip
REGISTRY_REQUIRED = frozenset({"household_code", "name", "id_number", "village"})

_COMMON = {"name": NAME, "id_number": ID_NUMBER, "township": TOWNSHIP, "village": VILLAGE}

DEPARTMENT: MappingProxyType[str, MappingProxyType[str, tuple[str, ...]]] = MappingProxyType({
    "health": MappingProxyType({
        **_COMMON,
        "disease": ("病种", "疾病名称", "病名", "诊断", "主要诊断", "疾病诊断", "大病病种"),
        "diagnosed_on": ("确诊日期", "诊断日期", "确诊时间", "入院日期", "就诊日期"),
        "total_cost": ("住院总费用", "医疗总费用", "总费用", "医疗费用总额", "费用总额"),
        "reimbursed": ("报销金额", "报销合计", "医保报销", "合规报销", "已报销金额", "报销费用"),
        "out_of_pocket": ("个人自付", "自付金额", "个人自付金额", "个人负担", "自付费用",
                          "个人支付"),
    }),
    "disability": MappingProxyType({
        **_COMMON,
        "disability_category": ("残疾类别", "残疾类型"),
        "disability_grade": ("残疾等级", "残疾级别"),
        "disability_cause": ("致残原因", "残疾原因", "致残因素"),
        "certified_on": ("发证日期", "办证日期", "发证时间", "评定日期"),
    }),
    "disaster": MappingProxyType({
        **_COMMON,
        "disaster_date": ("受灾日期", "受灾时间", "灾害发生日期", "发生日期", "灾害日期"),
        "disaster_type": ("灾种", "灾害类型", "灾害种类", "受灾类型"),
        "house_damage": ("房屋损毁程度", "房屋受损程度", "损毁程度", "房屋损坏程度"),
        "casualties": ("人员伤亡", "伤亡情况", "人员伤亡情况"),
    }),
    "housing": MappingProxyType({
        **_COMMON,
        "house_damage": ("房屋损毁程度", "危房等级", "鉴定等级", "房屋安全等级", "房屋等级",
                         "损毁程度", "鉴定结果"),
        "appraised_on": ("鉴定日期", "认定日期", "鉴定时间", "受损日期"),
        "damage_reason": ("致损原因", "损毁原因", "成因", "危房原因"),
    }),
    "education": MappingProxyType({
        **_COMMON,
        "school": ("学校名称", "就读学校", "学校"),
        "stage": ("学段", "就读学段", "教育阶段", "学历层次", "层次"),
        "grade": ("年级", "就读年级", "在读年级"),
        "ownership": ("办学性质", "学校性质", "办学类型"),
        "enrolled_on": ("入学日期", "入学时间", "入学年月"),
    }),
    "civil": MappingProxyType({
        **_COMMON,
        "aid_type": ("救助类型", "保障类型", "救助类别", "类别", "对象类别", "保障类别",
                     "低保/特困", "低保特困类型", "低保特困类别", "救助对象类型"),
        "hukou_type": ("户籍性质", "户口性质", "户籍类型"),
        "persons": ("保障人数", "享受人数", "救助人数"),
        "monthly_amount": ("月保障金", "保障金额", "月救助金", "月保障金额", "救助金额"),
        "started_on": ("享受日期", "起始日期", "审批日期", "纳入日期"),
    }),
    "police": MappingProxyType({
        **_COMMON,
        "died_on": ("死亡日期", "注销日期", "死亡时间"),
        "death_cause": ("死亡原因", "注销原因"),
    }),
})  # fmt: skip
DEPARTMENT_REQUIRED = frozenset({"id_number"})
# What makes a file that kind: its header must have at least one of these fields (names and
# IDs alone fit every kind, and a file imported under the wrong kind would make false hits).
KIND_MARKERS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "health": ("disease", "total_cost", "reimbursed", "out_of_pocket"),
    "disability": ("disability_category", "disability_grade"),
    "disaster": ("house_damage", "disaster_type"),
    "housing": ("house_damage",),
    "education": ("school", "stage", "grade", "enrolled_on"),
    "civil": ("aid_type",),
    "police": ("died_on", "death_cause"),
})  # fmt: skip

TOTALS_WORDS = frozenset({"合计", "总计", "小计", "累计", "合计:", "总计:"})
