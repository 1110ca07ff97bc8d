"""The lexicon: the Chinese text rules and word lists several stages share, each in one place.

Where the data files are; Han characters; administrative place suffixes (with
their level of government and English words); stopwords (keyword search,
Chinese questions, English questions); approximation markers; length limits.

>>> short_name("金华市"), name_suffix("静海区"), place_level("天津市"), place_level("明溪县")
('金华', '区', '省', '县')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # retrieval/data: units, measures, glossary
GLOSSARY_PATH = DATA_DIR / "glossary.tsv"  # english<TAB>中文|中文, the curated emergency-management glossary

MAX_ANSWER_CHARS = 200  # an answer is a clause or a sentence, never a whole passage
MAX_QUESTION_CHARS = 500  # default of GOVQA_MAX_QUESTION_CHARS: one question, not a pasted document

# ---------------------------------------------------------------- Han characters

HAN_RANGE = "\u4e00-\u9fff"  # CJK Unified Ideographs: the characters of (normalised) Chinese text
HAN = re.compile(f"[{HAN_RANGE}]")


def has_han(text: str) -> bool:
    """Holds at least one Chinese character: ``has_han("Jinhua 2020年")`` is True."""
    return HAN.search(text) is not None


def is_han(text: str) -> bool:
    """Non-empty and Chinese characters only: ``is_han("金华市")`` is True, ``is_han("M2")`` False."""
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" for ch in text)


# ---------------------------------------------------------------- administrative places


@dataclass(frozen=True)
class AdminSuffix:
    """An administrative suffix of a Chinese place name: 静海区 ends in 区."""

    suffix: str
    level: str  # 省 / 市 / 区 / 县: the level of government of a place with this suffix
    english: tuple[str, ...]  # words an English question may write after the name, the usual first
    display: str  # the word said after the name in English ("" for cities: "Jinhua", not "Jinhua city")


# Longest first, so that 自治县 is found before 县 and 地区 before 区.
SUFFIXES: tuple[AdminSuffix, ...] = (
    AdminSuffix("特别行政区", "省", ("special administrative region", "sar"), "special administrative region"),
    AdminSuffix("自治区", "省", ("autonomous region", "region"), "autonomous region"),
    AdminSuffix("自治州", "市", ("autonomous prefecture", "prefecture"), "autonomous prefecture"),
    AdminSuffix("自治县", "县", ("autonomous county", "county"), "autonomous county"),
    AdminSuffix("自治旗", "县", ("autonomous banner", "banner"), "autonomous banner"),
    AdminSuffix("新区", "区", ("new area", "new district", "district"), "new area"),
    AdminSuffix("地区", "市", ("prefecture", "region"), "prefecture"),
    AdminSuffix("林区", "区", ("forestry district", "district"), "forestry district"),
    AdminSuffix("省", "省", ("province", "sheng"), "province"),
    AdminSuffix("市", "市", ("city", "shi", "municipality", "prefecture"), ""),
    AdminSuffix("县", "县", ("county", "xian"), "county"),
    AdminSuffix("区", "区", ("district", "qu"), "district"),
    AdminSuffix("州", "市", ("prefecture", "zhou"), "prefecture"),
    AdminSuffix("旗", "县", ("banner", "qi"), "banner"),
    AdminSuffix("盟", "市", ("league", "meng"), "league"),
)
ADMIN_SUFFIXES: dict[str, tuple[str, ...]] = {s.suffix: s.english for s in SUFFIXES}  # suffix -> English words
SUFFIX_CHARS = "".join(s.suffix for s in SUFFIXES if len(s.suffix) == 1)  # 省市县区州旗盟
PLACE_SUFFIX_PATTERN = "|".join(s.suffix for s in SUFFIXES)  # regex alternation, longest first
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")  # cities directly under the centre rank as provinces


# The 55 minority nationalities as they stand inside autonomous place names
# (广西壮族自治区, 新疆维吾尔自治区, 双江拉祜族佤族布朗族傣族自治县), longest first;
# 各族 as in 峨边彝族自治县 and 各族自治县 forms.
NATIONALITIES = tuple(sorted("""
壮 回 维吾尔 藏 蒙古 朝鲜 苗 彝 布依 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水
东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒
乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各
""".split(), key=len, reverse=True))


def short_name(name: str) -> str:
    """Name without its administrative suffix (and, for autonomous places, the
    nationalities before it), if at least 2 characters remain.

    >>> short_name("金华市"), short_name("静海区"), short_name("东安县"), short_name("城区")
    ('金华', '静海', '东安', '城区')
    >>> short_name("广西壮族自治区"), short_name("新疆维吾尔自治区"), short_name("双江拉祜族佤族布朗族傣族自治县")
    ('广西', '新疆', '双江')
    """
    for suffix in ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            return _without_nationalities(stem) if suffix.startswith("自治") else stem
    return name


def _without_nationalities(stem: str) -> str:
    """广西壮族 -> 广西, 双江拉祜族佤族布朗族傣族 -> 双江 (two characters at least stay)."""
    while True:
        tail = next((t for n in NATIONALITIES for t in (n + "族", n)
                     if stem.endswith(t) and len(stem) - len(t) >= 2), "")
        if not tail:
            return stem
        stem = stem[: -len(tail)]


def name_suffix(name: str) -> str:
    """The administrative suffix of ``name`` ('' if none): 静海区 -> 区, 广西壮族自治区 -> 自治区."""
    return next((s for s in ADMIN_SUFFIXES if name.endswith(s) and len(name) - len(s) >= 2), "")


def admin_suffix(name: str) -> AdminSuffix | None:
    """The suffix row of ``name`` (None when it has none): 明溪县 -> 县."""
    return next((s for s in SUFFIXES if s.suffix == name_suffix(name)), None) if name_suffix(name) else None


def place_level(place: str) -> str:
    """省 / 市 / 区 / 县 from a place name's suffix ('' when it has none).

    >>> place_level("明溪县"), place_level("天津市"), place_level("静海区"), place_level("阿拉善盟")
    ('县', '省', '区', '市')
    """
    if place in MUNICIPALITIES:
        return "省"
    return next((s.level for s in SUFFIXES if place.endswith(s.suffix)), "")


# ---------------------------------------------------------------- stopwords

# Tokens that carry no meaning for keyword ranking: function words and question words.
KEYWORD_STOPWORDS = frozenset(
    """的 了 和 与 及 或 在 是 为 对 把 被 将 等 中 上 下 有 也 都 就 并 而 其 之 以 于 由 从 向 至 到
    这 那 哪 哪些 哪个 哪家 什么 多少 几 个 吗 呢 吧 啊 么 怎么 怎样 如何 是否 请问 请 一下
    年 月 日 年度 共 了 年内 全年 我 我局 本局 你 他 它 们""".split()
)

# Words of a Chinese question that name no topic: function and question words, time and scope.
QUESTION_STOPWORDS = frozenset("""
你好 您好 麻烦 麻烦你 劳驾 谢谢 多谢 感谢 哈 哈哈 呀 哦 嗯 啦 喔 一下子 帮忙 帮我 帮 查 查查 查一下 告诉 告诉我
我 我们 你 您 给我
想 想问 想知道 知道 了解 问问 那个 这个 一个 名字 叫 叫什么 大概 大约 左右 差不多 总体 整体
的 了 是 在 和 与 及 或 共 有 为 对 把 被 从 到 向 等 个 年 月 日 号 多少 几 哪 哪些 哪个 哪家 哪里
哪儿 哪位 谁 什么 怎么 怎样 如何 何时 吗 呢 吧 啊 呀 请问 请 问 一下 那 那么 这 这个 那个 该
其 其中 中 以及 并 还 也 都 又 就 所 之 给 让 指 是否 有没有 总共 一共 共计 合计 总计 全年 年度
今年 去年 明年 当年 全市 全县 全区 全省 本市 本县 本区 各类 各项 情况 数量 多 又 来 去 做 做了
分别 大约 大概 约 左右 一共有 共有 到底 究竟 具体 相关 方面 期间 时候 时间 当时 吗 嘛 呐 一些
过 着 得 地 要 能 会 可以 应该 需要 已经 曾经 将 把 被 通过 进行 多大 几个 几次 多久 上 下 里 内
市 县 区 省 州 镇 乡 村
看看 看一看 说 说了 提到 提及 讲 讲到 写 写到 写着 那份 这份 里面 当中 多长 多长时间 一次
""".split())  # the last line: how staff point into a report ("报告里说", "那份要点"), not what they ask

# Words of an English question that name no topic.
EN_STOPWORDS = frozenset("""
a an the of in on at for to by from with without and or nor but not no as about into onto
over under after before during since until than then so such that this these those there
here it its it's they them their theirs he she his her him we us our you your i me my mine
is are was were be been being am do does did done doing has have had having can could should
would will shall may might must also too very just only even still yet ever all any each every
some both either neither other another same own more most less least much many few lot lots
one ones please tell show give find know let get got say said between among against per via
whether if else up down out off again further once more what which who whom whose when where
why how whats what's hows there's etc
""".split()) | frozenset("""
hi hello hey dear thanks thank cheers sorry excuse kindly roughly approximately approx about
altogether overall exactly precisely actually basically really quite just maybe perhaps
wonder wondering need needed want wanted like would i'm im i'd we're putting together briefing
asap quick quickly
through throughout everything anything something according apart regarding concerning besides
within upon toward towards whereas bother appreciate kind sort
""".split())  # chat fillers: politeness and hedges staff add around a question

# People staff mention around a question ("my director needs this"): the topic only when it asks who.
EN_ROLE_WORDS = frozenset("director boss colleague manager".split())

# ---------------------------------------------------------------- pinyin

PINYIN_SYLLABLES = frozenset("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao
ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui
chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de den deng di dian diao die ding diu
dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang
gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng
hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan
jue jun ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang
lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai
man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen
neng ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao
pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu
quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen
seng sha shai shan shang shao she shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si
song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui
tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue
xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng
zha zhai zhan zhang zhao zhe zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi
zong zou zu zuan zui zun zuo
""".split())  # every toneless syllable of Mandarin (ü written v), from pypinyin's table


QUESTION_WORDS = frozenset("what which who whom whose when where why how".split())

MONTHS = frozenset("""january february march april may june july august september october
november december jan feb mar apr jun jul aug sep sept oct nov dec""".split())

# ---------------------------------------------------------------- approximation

# Markers that make a figure approximate, before it (近1000家, 超过50次) and after it
# (50000余份, 60%以上); longest first, as regex alternations need them.
APPROX_BEFORE = ("将近", "接近", "大约", "超过", "近", "约", "逾")
APPROX_AFTER = ("左右", "以上", "上下", "余", "多")
APPROX_MEANING = {  # how each marker reads in English
    "将近": "nearly", "接近": "nearly", "近": "nearly", "大约": "about", "约": "about",
    "超过": "over", "逾": "over", "左右": "about", "以上": "over", "上下": "about", "余": "over", "多": "over",
}

# ---------------------------------------------------------------- the glossary file


def read_glossary_file(path: Path = GLOSSARY_PATH) -> list[tuple[str, list[str]]]:
    """Rows of a glossary file: (english phrase, [chinese terms]); # starts a comment."""
    rows = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if "\t" not in line:
            raise ValueError(f"{path.name}:{line_no}: expected english<TAB>chinese")
        english, chinese = line.split("\t", 1)
        terms = [t.strip() for t in chinese.split("|") if t.strip()]
        if not english.strip() or not terms:
            raise ValueError(f"{path.name}:{line_no}: empty column")
        rows.append((english.strip(), terms))
    return rows


def glossary_terms() -> list[str]:
    """Every Chinese term of the glossary file, each once, in file order."""
    return list(dict.fromkeys(t for _, terms in read_glossary_file() for t in terms))

# ---------------------------------------------------------------- negation and plans (yes/no answers)

# Words that deny what follows them in a clause: 未发生, 没有人员伤亡, 无重大事故, 不存在. jieba keeps
# 不断, 未来, 无人机 whole, so a negation is a word of its own ...
NEGATION_WORDS = frozenset("未 没 没有 无 不 非 零 尚未 并未 从未 均未 未曾 未能 未有 不曾 杜绝 无一 不存在 未发生".split())
# ... or the first character of one that jieba glued to what it denies (零伤亡, 无事故, 未发).
NEGATION_PREFIXES = ("零", "无", "未", "没")

# A report type, or a top-level heading, under which what is written is planned, not done.
PLAN_DOC_TYPES = ("工作要点", "工作计划")
PLAN_HEADING = re.compile(r"下一步|下步|下一年度|明年|今后|打算|思路|计划|安排|要点|展望")
