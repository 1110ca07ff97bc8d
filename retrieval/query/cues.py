"""Words and patterns that say what a question wants: a number (in which unit),
a date, a name, a plan; and which words are no topic (stopwords, the issuer)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.lexicon import EN_STOPWORDS as STOPWORDS
from ..text.lexicon import HAN_RANGE

# The bureau itself: the issuer of every report, never what a question is about.
ISSUER_TERMS = frozenset({"应急管理局", "应急局", "管理局", "应急管理部门", "应急管理部", "人防办", "局",
                          "应急管理厅", "应急厅", "厅"})
# Words that shape the answer (count, when, plans) rather than name its topic.
META_WORDS = frozenset("""number total amount count figure quantity sum year years month time
times many much bureau city county district province provincial municipal prefecture municipality
level plan day
week hour percent percentage proportion share fraction""".split())
# Support verbs: "impose penalties", "issue fines", "hold drills" - the noun is the topic.
SUPPORT_VERBS = frozenset("""do make have get give take impose issue conduct carry perform
undertake hold see happen occur record put""".split()) | {"carry out"}
EN_SPAN = re.compile(r"\b(\d+(?:\.\d+)?)[- ]?(day|week|month|year|hour)s?\b", re.I)
EN_SPAN_ZH = {"day": "天", "week": "周", "month": "个月", "year": "年", "hour": "小时"}
PUNCT_TOKEN = re.compile(r"^[\W_]+$")

# Units implied by a counted noun (English lemma) or a Chinese head word.
MONEY = ("万元", "元", "亿元")
EN_UNIT_NOUNS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys("person people worker staff personnel resident firefighter officer member "
                    "employee volunteer inspector trainee participant villager victim casualty "
                    "student cadre expert rescuer ranger gridder citizen".split(), ("人", "名", "人次")),
    **dict.fromkeys("death injury fatality".split(), ("人", "名")),
    **dict.fromkeys("time occasion penalty drill exercise inspection check training session "
                    "meeting campaign activity visit patrol lecture".split(), ("次", "场", "起")),
    "fine": ("次", "起", *MONEY),
    **dict.fromkeys("accident fire incident".split(), ("起", "次")),
    **dict.fromkeys("enterprise unit company firm business factory plant mine station "
                    "shop store hotel school hospital".split(), ("家", "个")),
    **dict.fromkeys("case petition complaint report claim letter".split(), ("件", "起")),
    **dict.fromkeys("item hazard problem danger risk defect".split(), ("项", "处", "个", "条")),
    **dict.fromkeys("money fund funding yuan rmb cost budget investment expenditure spending "
                    "compensation payment payout subsidy indemnity premium".split(), MONEY),
    **dict.fromkeys("rate percent percentage proportion ratio share".split(), ("%",)),
    **dict.fromkeys("certificate license licence permit".split(), ("份", "个", "本", "张")),
    **dict.fromkeys("material leaflet brochure booklet copy poster".split(), ("份", "册", "张")),
    **dict.fromkeys("household family".split(), ("户",)),
    **dict.fromkeys("point site place location spot shelter grid hall base village community "
                    "team group plan document".split(), ("个", "处", "支")),
    **dict.fromkeys("vehicle truck boat drone".split(), ("辆", "台", "艘", "架")),
    **dict.fromkeys("equipment device pump generator".split(), ("台", "套", "件")),
    **dict.fromkeys("jacket lifejacket tent quilt sandbag".split(), ("件", "顶", "床", "条", "个")),
    **dict.fromkeys("hectare mu".split(), ("亩", "公顷")),
    **dict.fromkeys("ton tonne".split(), ("吨",)),
    **dict.fromkeys("kilometer kilometre km".split(), ("公里", "千米")),
    **dict.fromkeys("day".split(), ("天", "日")),
    **dict.fromkeys("hour".split(), ("小时",)),
}
ZH_MEASURE_UNITS: dict[str, tuple[str, ...]] = {
    "人": ("人", "名", "人次"), "名": ("名", "人"), "人次": ("人次",), "次": ("次",),
    "家": ("家",), "件": ("件",), "起": ("起",), "项": ("项",), "处": ("处",), "个": ("个",),
    "份": ("份",), "本": ("本",), "张": ("张",), "册": ("册",), "户": ("户",), "支": ("支",),
    "场": ("场",), "期": ("期",), "批": ("批",), "条": ("条",), "台": ("台",), "套": ("套",),
    "辆": ("辆",), "艘": ("艘",), "架": ("架",), "座": ("座",), "所": ("所",), "种": ("种",),
    "类": ("类",), "天": ("天", "日"), "亩": ("亩",), "吨": ("吨",), "公里": ("公里",),
    "元": MONEY, "万元": MONEY, "亿元": MONEY, "万": MONEY, "钱": MONEY, "部": ("部", "台"),
}
# A counter asked in so many words (开了几场, 多少人死亡) and the counters that answer it: an
# occasion is counted in 次, 场 or 期 alike, a case in 件 or 起; 个 answers for anything.
ZH_COUNTER_ANSWERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("次", "场", "期", "轮", "批"), ("次", "场", "期", "轮", "批")),
    "人次": ("人次", "人"),
    **dict.fromkeys(("件", "起"), ("件", "起", "宗")),
    **dict.fromkeys(("人", "名"), ("人", "名")),
    **dict.fromkeys(("元", "万元", "亿元", "钱"), MONEY),
}
ZH_MONEY_HEADS = ("金额", "罚款", "罚没", "资金", "经费", "预算", "费用", "投入")  # ...多少: an amount of money
EN_COUNT = re.compile(r"\bhow many\b")  # a count: never answered by a percentage alone
# "Which three foundations ...", "哪三个方面": a question that names how many items it wants
ITEMS_ASKED = {
    "zh": re.compile(r"哪([两二三四五六七八九十])(?:个|项|件|大|条|种|类|方面)"),
    "en": re.compile(r"\b(two|three|four|five|six|seven|eight)\s+(?:[a-z-]+\s+){0,2}(?:things|principles|areas|"
                     r"aspects|priorities|tasks|measures|goals|foundations|bases|parts|points|pillars|focuses|"
                     r"requirements|targets|systems|mechanisms|steps)\b"),
}
# "哪家律师事务所", "哪个领导小组": one named thing of this kind is asked for; the noun ends where a verb starts
ZH_WHICH_ENTITY = re.compile(r"哪(?:一)?(?:家|个|所|位)([\u4e00-\u9fff]{2,8}?)(?=[的是为呢吗啊了在有被来?？,，。]|$)")
EN_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
# Chinese head words (by how they end) -> units.
ZH_UNIT_ENDINGS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("率", "比例", "比重", "占比", "百分比"), ("%",)),
    (("款", "罚款", "罚没", "资金", "经费", "金额", "费用", "投入", "预算", "支出", "钱", "补贴", "补助", "保费"), MONEY),
    (("企业", "单位", "公司", "工厂", "矿山", "场所", "门店", "学校", "医院"), ("家", "个", "处")),
    (("人员", "群众", "人数", "员", "者", "人", "干部", "职工", "队员"), ("人", "名", "人次")),
    (("证", "证书", "许可证", "资料", "材料", "手册"), ("份", "本", "张", "个")),
    (("隐患", "问题", "障碍物"), ("项", "处", "个", "条")),
    (("案件", "信访", "举报", "投诉", "件"), ("件", "起")),
    (("事故", "火灾"), ("起", "次")),
    (("演练", "培训", "检查", "活动", "会议", "宣传", "讲座"), ("次", "场", "期")),
    (("处罚",), ("次", "起", "件")),
    (("网格", "点", "站", "馆", "基地", "队伍", "队", "场所"), ("个", "处", "支")),
    (("衣", "物资", "设备", "装备"), ("件", "套", "台")),
)

@dataclass(frozen=True)
class AskCues:
    """What a question in one language asks for: patterns over the question."""

    number: re.Pattern  # a figure: "how many", 多少
    when: re.Pattern
    who: re.Pattern
    which: re.Pattern
    what: re.Pattern
    followup: re.Pattern  # leans on the previous question: "and in 2021?", 那罚款呢?
    plan: re.Pattern  # asks what will be done (plans are in the previous year's report)


ASK = {
    "en": AskCues(
        number=re.compile(
            r"\bhow (?:many|much|big|large|high|long)\b|\bnumber of\b|\bwhat (?:percent|percentage|proportion|share|"
            r"fraction|amount|number|rate|total|sum)\b|\b(?:rate|percent|percentage|proportion|ratio|"
            r"total|amount|count|quantity|sum)\b"),
        when=re.compile(r"\bwhen\b|\bwhat (?:date|time|day|month)\b|\bby what date\b|\bdeadline\b"),
        who=re.compile(r"\bwho(?:m|se)?\b"),
        which=re.compile(r"\bwhich\b"),
        what=re.compile(r"\bwhat\b|\bhow\b|\bdescribe\b|\bexplain\b|\blist\b|\btell me\b"),
        followup=re.compile(r"^\s*(?:and|what about|how about|also|same for|and what about)\b", re.I),
        plan=re.compile(r"\b(?:plan|plans|planned|planning|will|going to|intend|intends|aim|aims|"
                        r"target|targets|next year|next step|future)\b", re.I),
    ),
    "zh": AskCues(
        number=re.compile(r"多少|几(?=[^乎]|$)|数量|总数|总量|人数|次数|金额|总额|比例|比率|占比|百分之|"
                          rf"百分比|[{HAN_RANGE}]率|多大|多高|多长(?!时间[^?？,，。]{{0,10}}一次)|多久(?![^?？,，。]{{0,10}}一次)"),
        # 多久(学)一次, 多长时间一次: how often, answered by a period (每季度), not a figure
        when=re.compile(r"什么时候|何时|哪天|哪一天|几月|哪个月|日期|截止|期限|时限|之前完成|前完成"),
        who=re.compile(r"谁|哪位|何人"),
        which=re.compile(r"哪[家个些种类项位所条里儿]|哪"),
        what=re.compile(r"什么|啥|如何|怎么|怎样|哪些|内容|措施|包括|指"),
        followup=re.compile(r"^\s*(?:那|那么|还有|另外)|呢\s*[?？]?\s*$"),
        plan=re.compile(r"计划|打算|拟|下一步|明年|今后|将要|规划|目标|工作要点|部署"),
    ),
}

# The kind of report a question asks about (first match wins): (type, pattern over the question),
# in the order of ``ingest.metadata.DOC_TYPES`` (type, pattern over a title).
ASKED_DOC_TYPES: tuple[tuple[str, re.Pattern], ...] = (
    ("工作要点", re.compile(r"work (?:plan|points|priorities)|key (?:work|tasks) for|工作要点|工作计划", re.I)),
    ("法治政府建设报告", re.compile(r"rule[- ]of[- ]law|law[- ]based government|法治政府|法治建设|依法行政", re.I)),
    ("工作总结", re.compile(r"work summary|annual summary|工作总结|年度总结", re.I)),
)


RATE = re.compile(rf"\b(?:rate|percent|percentage|proportion|ratio)\b|[{HAN_RANGE}]率|比例|占比|百分")

EN_NP_END = STOPWORDS | {"did", "do", "does", "were", "was", "are", "is", "have", "has", "had"}

ASKED_QUANTITY = re.compile(r"(?:多少|几)(?:" + "|".join(ZH_MEASURE_UNITS) + ")?")

ZH_MEASURE_AFTER = re.compile(r"(?:多少|几)(?:万(?=[人户元]))?(" + "|".join(
    sorted(ZH_MEASURE_UNITS, key=len, reverse=True)) + ")")

# Words that ask for plans: a plan question with no other topic looks for the plan itself.
PLAN_TERMS = ("工作打算", "工作思路", "工作计划", "工作安排", "下一步", "计划", "打算", "规划")
QUESTION_WORD_START = re.compile(r"^(多少|几|哪|什么|怎么|如何)")  # a question word jieba glued to a term

# ---------------------------------------------------------------- comparisons (``plan``)


@dataclass(frozen=True)
class CompareCues:
    """What makes a question, in one language, a comparison across reports."""

    superlative: re.Pattern  # most, highest, 最多
    smallest: re.Pattern  # least, lowest, 最少: rank from the bottom
    which_place: re.Pattern  # which/where/who: asks for places or reports (not query's which-cue)
    rank: re.Pattern  # ranked, top 5, 排名
    compare: re.Pattern  # compare, across all reports, 对比, 各地
    more: re.Pattern  # more than, 比...多
    less: re.Pattern  # less than, 比...少
    listing: re.Pattern  # list all figures, 列出数据


COMPARE = {
    "en": CompareCues(
        superlative=re.compile(r"\b(most|highest|largest|biggest|greatest|top|least|lowest|fewest|smallest)\b"),
        smallest=re.compile(r"\b(least|lowest|fewest|smallest)\b"),
        which_place=re.compile(r"\b(which|where|who|what (?:city|region|place|county|district|report|bureau)s?)\b"),
        rank=re.compile(r"\brank(?:ed|ing|ings|s)?\b|\bsort(?:ed)? by\b|\border(?:ed)? by\b|\btop \d+\b"),
        compare=re.compile(
            r"\bcompar(?:e|es|ed|ing|ison)\b|\bversus\b|\bvs\b\.?|"
            r"\bacross (?:all |the |every )*(?:reports|regions|cities|places|counties|districts|bureaus|years)\b|"
            r"\b(?:each|every|all|different) (?:report|region|city|place|county|district|bureau)s?\b|"
            r"\bby (?:region|city|report|place|year)\b"),
        more=re.compile(r"\b(?:more|higher|larger|greater|bigger|exceed(?:ed|s)?)\b"),
        less=re.compile(r"\b(?:less|fewer|lower|smaller)\b"),
        listing=re.compile(r"\b(?:list|show|give|all|every)\b.*\b(?:figures|numbers|statistics|stats|data|facts)\b"),
    ),
    "zh": CompareCues(
        superlative=re.compile(r"最(?:多(?!跑)|高|大|少|低|小)|前[0-9一二三四五六七八九十]+[名位]"),
        smallest=re.compile(r"最(?:少|低|小)"),
        which_place=re.compile(r"哪|谁"),
        rank=re.compile(r"排名|排行|排序|名列"),
        compare=re.compile(r"对比|比较|相比|横向|各地|各个?(?:地区|地方|城市|报告|市县|区县|县区)|"
                           r"所有(?:地区|报告)|全部(?:地区|报告)|每个(?:地区|报告)|分地区"),
        more=re.compile(r"比.{0,30}?(?:多|高|大)|多于|高于|大于|超过|[更较](?:多|高|大)"),
        less=re.compile(r"比.{0,30}?(?:少|低|小)|少于|低于|小于|不及|不如|[更较](?:少|低|小)"),
        listing=re.compile(r"(?:列出|列举|罗列|所有|全部|哪些|各项)的?(?:数据|数字|统计|指标)|(?:数据|数字)都?有哪些"),
    ),
}

# Years said relative to another: (pattern, offset from the year of the report talked about, or today).
RELATIVE_YEARS: tuple[tuple[re.Pattern, int], ...] = (
    (re.compile(r"大前年"), -3),
    (re.compile(r"前年|year before last|two years (?:before|earlier|ago)", re.I), -2),
    (re.compile(r"去年|上一?年|上一年度|前一年|last year|the year before|previous year|prior year|"
                r"a year (?:before|earlier|ago)|one year (?:before|earlier)", re.I), -1),
    (re.compile(r"明年|次年|下一?年|后一年|next year|following year|the year after|a year later", re.I), 1),
    (re.compile(r"今年|当年|同年|本年|this year|that year|same year", re.I), 0),
)
RELATIVE_NEEDS_CONTEXT = (1,)  # "next year" alone is a plan word; it names a year only after a report's year

# ---------------------------------------------------------------- structured answers (``kind``)


@dataclass(frozen=True)
class StructureCues:
    """What makes a question, in one language, ask for a structured answer."""

    summary: re.Pattern  # a report's (or a section's) content: 概括, 讲了什么, summarise, main points
    listing: re.Pattern  # the items of a section: 有哪些措施, 列一下, list the measures
    yesno: re.Pattern  # yes or no: 是否, 有没有, …了吗, did/does/is there


# Nouns a list question names its items by ("what measures", 哪些措施): they say *that* items
# are wanted, not what about.
_EN_ITEM_NOUNS = (r"measures|steps|actions|tasks|programs|programmes|initiatives|priorities|things|ways|"
                  r"areas|methods|practices|arrangements|efforts|projects|activities|points|items|achievements")
_ZH_ITEM_NOUNS = "措施|举措|做法|工作|任务|方面|行动|内容|项目|活动|重点|亮点|成效|成绩|经验|安排|思路|计划|打算|要求|要点|事情|不足|问题"

STRUCTURE = {
    "en": StructureCues(
        summary=re.compile(
            r"\bsummar(?:y|ies|i[sz]e[sd]?|i[sz]ing)\b|\bsum (?:it )?up\b|\brecap\b|\bbrief (?:me|us)\b|\boutline\b|"
            r"\boverview\b|\b(?:main|key) points\b|\bgist\b|\bhighlights\b|\bin (?:brief|short|a nutshell)\b|"
            r"\bwhat (?:does|did|is) (?:[\w'’-]+ ){0,6}(?:report|plan|document) (?:say|cover|contain|about)\b|"
            r"\bwhat(?:'s| is) in (?:[\w'’-]+ ){0,6}(?:report|plan)\b"),
        listing=re.compile(
            rf"\blist(?:s|ed|ing)?\b|\benumerate\b|\bitemi[sz]e\b|"
            rf"\bwhat (?:are|were) (?:[\w'’-]+ ){{0,4}}?(?:{_EN_ITEM_NOUNS})\b|"
            rf"\bname (?:the |all |some )?(?:[\w'’-]+ ){{0,2}}?(?:{_EN_ITEM_NOUNS})\b|"
            rf"\b(?:which|what) (?:main |key |major |specific )?(?:{_EN_ITEM_NOUNS}) (?:did|does|do|has|have|will|"
            rf"were|are|was|is)\b"),
        yesno=re.compile(r"^(?:(?:and|so|also|but|then|ok|okay|hi|hello|please)[, ]+)*(?:did|does|do|has|have|had|"
                         r"is|are|was|were|will|would|can|could|should|shall)\b|\bor not\b|\bwhether\b"),
    ),
    "zh": StructureCues(
        summary=re.compile(
            r"概括|概述|简述|归纳(?:一下|下)|总结一下|总结下|简要总结|摘要|梗概|概要|大意|主要内容|大致内容|基本内容|要点是什么|"
            r"(?:讲|说|写|谈)了?(?:些)?(?:什么|啥|哪些内容|哪些东西)|讲的是什么|内容是什么|简要介绍|简单介绍|介绍一下"),
        listing=re.compile(
            rf"列(?:一下|出|举|个清单)|罗列|(?:有|是|包括|包含)哪些(?:{_ZH_ITEM_NOUNS})?\s*(?:呢|啊)?\s*[?？]?\s*$|"
            rf"(?:采取|采用|做|开展|推进|实施|落实|部署|提出|安排|完成)了?哪些|哪些(?:{_ZH_ITEM_NOUNS})|"
            rf"(?:主要|具体)(?:措施|举措|做法|任务)|(?:哪|有)?几(?:项|个方面|个|条|种)(?:{_ZH_ITEM_NOUNS})|"
            rf"哪几(?:项|个方面|个|条|种)|什么(?:措施|举措|做法|办法|任务)"),
        yesno=re.compile(r"是否|有没有|有无|是不是|能不能|能否|可否|与否|会不会|要不要|需不需要|可不可以|该不该|有否|"
                         r"没有\s*[?？]?\s*$|"
                         r"(?:吗|(?<![什怎多])么|嘛)\s*[?？]?\s*$"),
    ),
}

# Words that only say which shape of answer is wanted (list, summarise, 措施, 是否): no topic. They
# are left out when a structured answer looks for its section or weighs its evidence.
STRUCTURE_WORDS = frozenset("""
list lists listed enumerate itemise itemize summary summaries summarise summarize summarised summarized
outline overview main specific concrete point points gist highlight highlights brief short
measure measures step steps action actions task tasks program programs programme programmes initiative
initiatives priority priorities thing things way ways area areas method methods practice practices
arrangement arrangements effort efforts project projects activity activities item items content contents
report document say says cover covers contain contains achievement achievements whether going
列 列出 列一下 列举 罗列 一下 清单 概括 概述 简述 简介 概要 大概 归纳 总结 总结一下 摘要 梗概 大意 要点 内容 主要 具体
讲 说 写 谈 讲了
措施 举措 做法 任务 方面 采取 采用 哪些 介绍 简要 简单 大致 基本 东西 些
是否 有没有 有无 是不是 能不能 会不会 要不要 不要 需不需要 可不可以 该不该 有否 吗 么 嘛 了吗
""".split())

# Chinese light verbs: 开展演练 is about the drill, not about 开展 (as SUPPORT_VERBS for English).
ZH_SUPPORT_VERBS = frozenset("""开展 进行 组织 举办 实施 推进 推动 加强 落实 做好 抓好 完成 采取 有 做 搞 进一步
加大 强化 持续 积极 认真 深入 全面 不断""".split())
