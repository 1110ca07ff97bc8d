"""Tests for retrieval.figures: figures in real report sentences, and English.

Most cases are clauses copied from the five seed reports (seeds/*.txt).
Each expected fact is (value, unit, label substring, approx): some figure
found in the clause must have exactly that value, unit and approx flag, and
its label must contain the substring ("" means the label may be anything).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the project is not installed into the venv
    sys.path.insert(0, str(ROOT))

from retrieval.answer.english import describe_figure_en, english_unit, english_value  # noqa: E402
from retrieval.text.figures import find_figures  # noqa: E402
from retrieval.text.units import classify_measure, measure_english, to_base, unit_info  # noqa: E402
from retrieval.records import Figure  # noqa: E402

Fact = tuple[float, str, str, bool]

# ---------------------------------------------------------------- seed sentences

SEED_CASES: list[tuple[str, list[Fact]]] = [
    # 004 Jinhua 2020
    ("今年以来,全市共检查生产经营单位27315家,开展双随机抽查1701次,专项检查2134次,"
     "即时检查743次,掌上执法检查4578次,掌上执法率达100%,行政处罚703次,罚款1584.66万元,"
     "责令停产整顿生产经营单位19家。",
     [(27315, "家", "生产经营单位", False), (1701, "次", "双随机抽查", False),
      (2134, "次", "专项检查", False), (743, "次", "即时检查", False),
      (4578, "次", "掌上执法检查", False), (100, "%", "掌上执法率", False),
      (703, "次", "行政处罚", False), (1584.66, "万元", "罚款", False),
      (19, "家", "责令停产整顿生产经营单位", False)]),
    ("特种作业人员操作证21470份,审查通过危险化学品建设项目“三同时”17项",
     [(21470, "份", "特种作业人员操作证", False), (17, "项", "“三同时”", False)]),
    ("核(换)发危险化学品安全生产许可证47家、非煤矿山安全生产许可证(审核)7家、危险化学品经营许可证7家",
     [(47, "家", "危险化学品安全生产许可证", False), (7, "家", "非煤矿山安全生产许可证", False)]),
    ("主要负责人安全合格证588份、培训合格证52份,安管员安全合格证1083份、培训合格证111份",
     [(588, "份", "主要负责人安全合格证", False), (52, "份", "培训合格证", False),
      (1083, "份", "安管员安全合格证", False), (111, "份", "培训合格证", False)]),
    ("全市累计排查生产经营单位61983家次,发现问题隐患51560项,现场帮扶整改46932。",
     [(61983, "家次", "排查生产经营单位", False), (51560, "项", "发现问题隐患", False),
      (46932, "", "现场帮扶整改", False)]),
    ("建成应急宣教体验馆50家,接受市民群众、企业职工、学生学习体验3万人次。",
     [(50, "家", "应急宣教体验馆", False), (3, "万人次", "学习体验", False)]),
    ("在市级新闻宣传平台刊发新闻宣传140余条,累计播放应急管理宣传视频图片3万余次,发送短信16万余条,"
     "分发宣传册10万余份,组织参与线上知识竞赛6万余人次。",
     [(140, "条", "新闻宣传", True), (3, "万次", "宣传视频图片", True), (16, "万条", "短信", True),
      (10, "万份", "宣传册", True), (6, "万人次", "线上知识竞赛", True)]),
    ("深入开展企业百万员工安全大培训,完成培训总人数达8万余人次。",
     [(8, "万人次", "培训总人数", True)]),
    ("全年共接到或转办信访件53件,按照规定程序和时限全部办结。",
     [(53, "件", "信访件", False)]),
    ("县(市、区)政府、市安委会成员单位分管领导50余人参加培训",
     [(50, "人", "分管领导", True)]),
    ("在工矿企业、危化品等十大重点领域开展为期20天的安全生产集中攻坚行动。",
     [(20, "天", "安全生产集中攻坚行动", False)]),
    ("出台复工复产八条指导意见", [(8, "条", "指导意见", False)]),
    ("上报省厅2020年失信企业1家", [(1, "家", "失信企业", False)]),
    ("我局发生行政诉讼(原人防办2018年一起行政诉讼案件原告一审败诉不服上诉金华中院,金华中院裁定维持原判)"
     "和行政复议(人防工程易地建设费补缴事项)各1起",
     [(1, "起", "行政复议", False)]),
    ("清理完成了202011日以前(包括原市安监局、市人防办)制发的行政规范性文件7件(4件保留、3件废止)",
     [(7, "件", "行政规范性文件", False), (4, "件", "保留", False), (3, "件", "废止", False)]),
    # 001 Jinghai 2019
    ("2019年,全区共检查企事业单位5.3万家次,查改事故隐患8.8万项,下达执法文书2.5万份,对306家企业罚款742万元,"
     "责令停产停业企业数127家,责令暂时停止使用设备71台(套),曝光企业280家,约谈201人次。",
     [(5.3, "万家次", "企事业单位", False), (8.8, "万项", "事故隐患", False),
      (2.5, "万份", "执法文书", False), (306, "家", "企业", False), (742, "万元", "罚款", False),
      (127, "家", "停产停业企业", False), (71, "台", "设备", False), (280, "家", "曝光企业", False),
      (201, "人次", "约谈", False)]),
    ("共设置Ⅰ级网格23个,Ⅱ级网格432个,配备网格员719名。",
     [(23, "个", "Ⅰ级网格", False), (432, "个", "Ⅱ级网格", False), (719, "名", "网格员", False)]),
    ("全年,共新增职权23项,取消职权23项,调整职权118项(次)。",
     [(23, "项", "新增职权", False), (23, "项", "取消职权", False), (118, "项", "调整职权", False)]),
    ("全年计划检查企业610家次,其中重点检查企业382家次,一般检查企业228家次。",
     [(610, "家次", "检查企业", False), (382, "家次", "重点检查企业", False),
      (228, "家次", "一般检查企业", False)]),
    ("全年共审核行政处罚案件62起。", [(62, "起", "行政处罚案件", False)]),
    ("新取得执法资格人员9人,到期换领执法证人员28人,37名行政执法人员执法证申领、换领工作已按时完成。",
     [(9, "人", "新取得执法资格人员", False), (28, "人", "到期换领执法证人员", False),
      (37, "名", "行政执法人员", False)]),
    ("经统计,我区现有消防及社会应急队16支,应急救援人员400余人和2万余人的民兵救援力量。",
     [(16, "支", "消防及社会应急队", False), (400, "人", "应急救援人员", True),
      (2, "万人", "民兵救援力量", True)]),
    ("救援物资主要有编织袋4.3万条,照明设备1103个,冲锋舟、橡皮艇6艘,救生衣1162件,救生圈227只。",
     [(4.3, "万条", "编织袋", False), (1103, "个", "照明设备", False), (6, "艘", "橡皮艇", False),
      (1162, "件", "救生衣", False), (227, "只", "救生圈", False)]),
    ("汛中,严格执行24小时值班和领导带班制度。", [(24, "小时", "值班", False)]),
    ("2019年,按照全区统一部署先后开展了两次有针对性的规范文件清理工作。",
     [(2, "次", "规范文件清理工作", False)]),
    ("2019年,我局充分运用沟通调解等手段化解争议纠纷,共办理信访及举报203件。",
     [(203, "件", "信访及举报", False)]),
    # 002 Mingxi 2024
    ("全年共排查问题隐患1683条,已整改1679条,整改率99.76%,行政处罚195次,罚款76.026万元。",
     [(1683, "条", "排查问题隐患", False), (1679, "条", "整改", False), (99.76, "%", "整改率", False),
      (195, "次", "行政处罚", False), (76.026, "万元", "罚款", False)]),
    ("开展企业负责人专题安全教育培训49次、2097人,重大事故隐患判定标准宣贯(解读)15场、参与297人",
     [(49, "次", "企业负责人专题安全教育培训", False),
      (2097, "人", "企业负责人专题安全教育培训", False),
      (15, "场", "重大事故隐患判定标准宣贯", False), (297, "人", "参与", False)]),
    ("企业从业人员安全技能培训28次、培训745人次,安全生产精准帮扶64次、企业39家",
     [(28, "次", "安全技能培训", False), (745, "人次", "培训", False),
      (64, "次", "安全生产精准帮扶", False), (39, "家", "企业", False)]),
    ("共启动各类响应4次,召开部署会13次、点对点调度乡(镇)10次,下沉干部6063人、转移群众3028人",
     [(4, "次", "响应", False), (13, "次", "部署会", False), (10, "次", "调度", False),
      (6063, "人", "下沉干部", False), (3028, "人", "转移群众", False)]),
    ("完成县级水泵队伍建队率100%、乡级水泵队伍建队率60%以上",
     [(100, "%", "县级水泵队伍建队率", False), (60, "%", "乡级水泵队伍建队率", True)]),
    ("救助受灾群众400余人;累计下拨135万元自然灾害救灾资金,用于应急抢险",
     [(400, "人", "受灾群众", True), (135, "万元", "自然灾害救灾资金", False)]),
    ("共发放安全生产、防灾减灾、防汛防台、森林防火等各类宣传资料27053余份、悬挂横幅1399余条、"
     "出动防火宣传车6033辆次、发送宣传短信36637余条",
     [(27053, "份", "宣传资料", True), (1399, "条", "横幅", True),
      (6033, "辆次", "防火宣传车", False), (36637, "条", "宣传短信", True)]),
    ("近三年来共投入140余万元,建成归化公园安全文化公园、实验小学安全文化示范馆、欧侨广场安全文化创意园3处宣传教育阵地。",
     [(3, "年", "", False), (140, "万元", "投入", True), (3, "处", "宣传教育阵地", False)]),
    ("演练共计23个部门、21家企业、200余人参加,营造了浓厚的宣传氛围。",
     [(23, "个", "部门", False), (21, "家", "企业", False), (200, "人", "", True)]),
    ("开展县、乡(镇)执法人员培训43场次、参与2100余人",
     [(43, "场次", "执法人员培训", False), (2100, "人", "参与", True)]),
    ("增购价值58.9万元的个人防护“五小件”500余套、皮划艇30艘、对讲机10部等防汛物资",
     [(58.9, "万元", "个人防护", False), (500, "套", "个人防护", True), (30, "艘", "皮划艇", False),
      (10, "部", "对讲机", False)]),
    ("今年共向上争取各类资金831.16万元,其中自然灾害救灾资金135万元",
     [(831.16, "万元", "资金", False), (135, "万元", "自然灾害救灾资金", False)]),
    ("建立经济开发区特勤消防站、9支乡(镇)综合救援队伍、10支民兵应急救援队伍以及100余支各领域兼职社会救援队伍共1753人",
     [(9, "支", "综合救援队伍", False), (10, "支", "民兵应急救援队伍", False),
      (100, "支", "兼职社会救援队伍", True), (1753, "人", "", False)]),
    ("开展防汛、危险化学品生产安全事故等各类应急演练共119次,参与20000余人次",
     [(119, "次", "应急演练", False), (20000, "人次", "参与", True)]),
    # 000 Weihai 2021
    ("会同有关部门举办了全市《安全生产法》电视知识竞赛,组织全市近1000家企业参加活动。",
     [(1000, "家", "企业", True)]),
    ("开展6次以案释法和警示教育活动,发放各类法律法规宣传资料50000余份。",
     [(6, "次", "以案释法和警示教育活动", False), (50000, "份", "法律法规宣传资料", True)]),
    ("督促全市各有关部门和各区市拉网式、起底式查改各类问题隐患14.3万余项。",
     [(14.3, "万项", "问题隐患", True)]),
    ("动员全市7000余名网格员参与安全生产打非治违", [(7000, "名", "网格员", True)]),
    ("督促企业落实资金1200余万元,整改问题隐患1719项",
     [(1200, "万元", "资金", True), (1719, "项", "整改问题隐患", False)]),
    ("调查录入承灾体、减灾资源、家庭减灾能力和历史灾害数据1.64万余条。",
     [(1.64, "万条", "历史灾害数据", True)]),
    ("采购212.2万元应急物资和设备,与家家悦集团签订物资代储协议",
     [(212.2, "万元", "应急物资和设备", False)]),
    ("2021年,全市灾害民生综合保险累计结案417件,向受灾群众支付理赔款417.367万元。",
     [(417, "件", "结案", False), (417.367, "万元", "理赔款", False)]),
    ("年内21次安全生产、森林火灾、大型城市综合体等市级演练全部按期完成。",
     [(21, "次", "市级演练", False)]),
    ("组织开展防汛安全检查,排查场所2199处,督促整改问题隐患397项",
     [(2199, "处", "场所", False), (397, "项", "整改问题隐患", False)]),
    ("组织修编完善15座大中型水库、31条流域面积50平方公里以上河道、361座小型水库大坝的防汛应急预案",
     [(15, "座", "大中型水库", False), (50, "平方公里", "流域面积", True),
      (361, "座", "小型水库大坝", False)]),
    ("组织市、区市两级招录450余名森林消防员,开展森林草原防灭火业务培训讲座7期",
     [(450, "名", "森林消防员", True), (7, "期", "培训讲座", False)]),
    ("协调H135M-171两架直升机驻防我市,建成和落实应急停机坪12处、应急起降点13处、取水点19处",
     [(2, "架", "直升机", False), (12, "处", "应急停机坪", False), (13, "处", "应急起降点", False),
      (19, "处", "取水点", False)]),
    ("规划森林巡查巡护航线2条、应急救援航线4条,总里程650余公里。",
     [(2, "条", "森林巡查巡护航线", False), (4, "条", "应急救援航线", False),
      (650, "公里", "总里程", True)]),
    ("发放特种作业操作证和安全管理人员证12000余件,依法立案查处企业、个人66项(次),罚款44.45万元。",
     [(12000, "件", "特种作业操作证", True), (66, "项", "立案查处", False),
      (44.45, "万元", "罚款", False)]),
    ("进一步细化了47个市级部门、单位的安全生产工作职责,明确了122个行业领域安全生产主管部门和直接监管责任部门。",
     [(47, "个", "市级部门", False), (122, "个", "行业领域安全生产主管部门", False)]),
]


def _match(figures: list[Figure], fact: Fact) -> Figure | None:
    value, unit, label, approx = fact
    for fig in figures:
        if (fig.value == pytest.approx(value) and fig.unit == unit and label in fig.label
                and fig.approx == approx):
            return fig
    return None


@pytest.mark.parametrize("sentence,facts", SEED_CASES, ids=[s[:16] for s, _ in SEED_CASES])
def test_seed_sentences(sentence: str, facts: list[Fact]) -> None:
    figures = find_figures(sentence)
    shown = [(f.value, f.unit, f.label, f.approx) for f in figures]
    for fact in facts:
        assert _match(figures, fact) is not None, f"{fact} not in {shown}"


def test_seed_cases_are_real_seed_text() -> None:
    """Every case above is copied from a seed (modulo clause cuts)."""
    seeds = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    flat = re.sub(r"\s+", "", seeds)
    for sentence, _ in SEED_CASES:
        for clause in re.split(r"[,;。]", sentence):
            assert clause in flat, clause
    assert len(SEED_CASES) >= 40


def test_exact_figures_of_jinhua_sentence() -> None:
    figs = find_figures("行政处罚703次,罚款1584.66万元,责令停产整顿生产经营单位19家。")
    assert [(f.value, f.unit, f.label, f.text, f.approx) for f in figs] == [
        (703.0, "次", "行政处罚", "703次", False),
        (1584.66, "万元", "罚款", "1584.66万元", False),
        (19.0, "家", "责令停产整顿生产经营单位", "19家", False),
    ]


def test_label_after_the_number_and_figure_text() -> None:
    fig, = find_figures("组织市、区市两级招录450余名森林消防员")
    assert (fig.label, fig.text, fig.approx) == ("森林消防员", "450余名", True)
    first, second = find_figures("对306家企业罚款742万元")
    assert (first.value, first.unit, first.label) == (306, "家", "企业")
    assert (second.value, second.unit, second.label) == (742, "万元", "罚款")


def test_leading_fillers_are_stripped() -> None:
    fig, = find_figures("全市共检查生产经营单位27315家")
    assert fig.label == "检查生产经营单位"
    fig, = find_figures("累计下拨135万元自然灾害救灾资金")
    assert fig.label == "自然灾害救灾资金"


def test_约谈_is_not_an_approximation() -> None:
    fig, = find_figures("约谈201人次")
    assert (fig.value, fig.unit, fig.approx) == (201, "人次", False)
    fig, = find_figures("约200人参加")
    assert fig.approx


def test_no_year_or_date_leaks_from_the_seeds() -> None:
    """Across all seed text, no figure is a year, a date or a damaged date."""
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for fig in find_figures(line):
                assert fig.unit not in ("月", "日"), (line, fig)
                if fig.unit in ("", "年"):
                    assert not 1949 <= fig.value <= 2100 and fig.value < 1e6, (line, fig)


# ---------------------------------------------------------------- not figures

NEGATIVE = [
    "2020年",
    "2021年度法治政府建设",
    "2020年1月22日",
    "1月22日",
    "4月底完成各项汛前准备",
    "11月中旬,对各县开展评查",
    "十应急发〔2021〕6号",
    "原安监总政法[2017]150号",
    "一是提请市委制定清单",
    "(一)加强组织领导",
    "第一",
    "第二批事项完成验收",
    "政务服务事项接入2.0平台",
    "落实《法治政府建设实施纲要(2021-2025年)》",
    "《威海市应急管理局2021年普法责任清单》",
    "重点抓好“5·12”全国防灾减灾日",
    "围绕“5.12”防灾减灾日",
    "探索构建“1+4+X”组织体系",
    "县防汛办有力应对“6.9-6.18”持续性强降雨过程及3号台风“格美”",
    "协调H135M-171",
    "发布日期:2022-01-14 11:08",
    "行政处罚、行政许可决定均在7日内通过网站进行了公示",
    "区委、区政府于201812月下发了通知",
    "深入开展治本攻坚三年行动",
    "组织编制了应急物资储备体系建设十年规划",
    "确保行政执法三项制度落实到位",
    "形成一山一图一案一册,制订一套救援方案",
    "原人防办2018年一起行政诉讼案件",
    "天津市静海区应急管理局2019",
    "2021514",
    "20211月22",
    "获得了集体二等奖",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_not_figures(text: str) -> None:
    assert find_figures(text) == []


# ---------------------------------------------------------------- numerals, ranges, percentages


@pytest.mark.parametrize("text,value,unit", [
    ("罚款一千二百次", 1200, "次"),
    ("开展了两次清理工作", 2, "次"),
    ("为期两天的培训班", 2, "天"),
    ("三十五家企业", 35, "家"),
    ("出台复工复产八条指导意见", 8, "条"),
    ("奖励五万元", 5, "万元"),
    ("一千二百万元", 1200, "万元"),
])
def test_chinese_numerals(text: str, value: float, unit: str) -> None:
    fig, = find_figures(text)
    assert (fig.value, fig.unit) == (value, unit)


def test_approximate_chinese_numerals() -> None:
    fig, = find_figures("分管领导近百人参加培训")
    assert (fig.value, fig.unit, fig.approx) == (100, "人", True)
    fig, = find_figures("转移近万人")
    assert (fig.value, fig.unit, fig.approx) == (1, "万人", True)
    assert to_base(fig) == (10000.0, "人")


@pytest.mark.parametrize("text,value,unit,span", [
    ("培训时间3-5天", 3, "天", "3-5天"),
    ("每组3至5人", 3, "人", "3至5人"),
    ("补助3~5万元", 3, "万元", "3~5万元"),
])
def test_ranges_keep_first_value_and_range_text(text: str, value: float, unit: str, span: str) -> None:
    fig, = find_figures(text)
    assert (fig.value, fig.unit, fig.text) == (value, unit, span)


def test_range_in_english() -> None:
    fig, = find_figures("培训时间3-5天")
    assert english_value(fig) == "3-5 days"
    fig, = find_figures("补助3~5万元")
    assert english_value(fig) == "30,000-50,000 yuan"


@pytest.mark.parametrize("text,value,approx", [
    ("整改率99.76%", 99.76, False),
    ("掌上执法率达100%", 100, False),
    ("乡级水泵队伍建队率60%以上", 60, True),
])
def test_percentages(text: str, value: float, approx: bool) -> None:
    fig, = find_figures(text)
    assert (fig.value, fig.unit, fig.approx) == (value, "%", approx)


def test_thousands_separator() -> None:
    fig, = find_figures("检查企业27,315家")
    assert (fig.value, fig.unit) == (27315, "家")


def test_unit_false_friends() -> None:
    assert find_figures("协调10部门联合执法") == []
    fig, = find_figures("对讲机10部")
    assert (fig.value, fig.unit, fig.label) == (10, "部", "对讲机")


# ---------------------------------------------------------------- English


def _fig(text: str) -> Figure:
    figs = find_figures(text)
    assert len(figs) == 1, figs
    return figs[0]


@pytest.mark.parametrize("text,expected", [
    ("罚款1584.66万元", "15.8466 million yuan"),
    ("罚款742万元", "7.42 million yuan"),
    ("罚款44.45万元", "444,500 yuan"),
    ("投入3.2亿元", "320 million yuan"),
    ("罚款76.026万元", "760,260 yuan"),
    ("发放各类法律法规宣传资料50000余份", "over 50,000"),
    ("整改率99.76%", "99.76%"),
    ("支付理赔款417.367万元", "4.17367 million yuan"),
    ("投入15亿元", "1.5 billion yuan"),
    ("投入140余万元", "over 1.4 million yuan"),
    ("查改各类问题隐患14.3万余项", "over 143,000"),
    ("组织全市近1000家企业参加活动", "nearly 1,000"),
    ("总里程650余公里", "over 650 km"),
    ("特种作业人员操作证21470份", "21,470"),
    ("罚款12.5元", "12.5 yuan"),
    ("约200人参加", "about 200"),
])
def test_english_value(text: str, expected: str) -> None:
    assert english_value(_fig(text)) == expected


def test_english_value_has_no_float_noise() -> None:
    # 1584.66 * 10000 in floats is 15846600.000000002
    assert english_value(Figure(1584.66, "万元", "罚款", "1584.66万元")) == "15.8466 million yuan"
    assert english_value(Figure(417.367, "万元", "理赔款")) == "4.17367 million yuan"
    assert to_base(Figure(1584.66, "万元", "罚款")) == (15846600.0, "元")
    assert to_base(Figure(76.026, "万元", "罚款")) == (760260.0, "元")


@pytest.mark.parametrize("fig,label_en,expected", [
    (Figure(703, "次", "行政处罚", "703次"), "administrative penalties", "703 administrative penalties"),
    (Figure(1584.66, "万元", "罚款", "1584.66万元"), "fines", "fines of 15.8466 million yuan (1584.66万元)"),
    (Figure(21470, "份", "特种作业人员操作证", "21470份"), None, "21,470 (特种作业人员操作证)"),
    (Figure(742, "万元", "罚款", "742万元"), None, "7.42 million yuan (罚款, 742万元)"),
    (Figure(99.76, "%", "整改率", "99.76%"), "rectification rate", "rectification rate of 99.76%"),
    (Figure(450, "名", "森林消防员", "450余名", True), "forest firefighters", "over 450 forest firefighters"),
    (Figure(14.3, "万项", "问题隐患", "14.3万余项", True), "hazards", "over 143,000 hazards (14.3万余项)"),
    (Figure(200, "人", "", "200余人", True), None, "over 200 people"),
    (Figure(650, "公里", "总里程", "650余公里", True), "total length", "total length of over 650 km"),
])
def test_describe_figure_en(fig: Figure, label_en: str | None, expected: str) -> None:
    assert describe_figure_en(fig, label_en) == expected


def test_jinhua_english_line() -> None:
    """The line the bot prints for "how many fines did Jinhua issue in 2020?"."""
    penalties, fines = find_figures("行政处罚703次,罚款1584.66万元")
    line = "; ".join([describe_figure_en(penalties, "administrative penalties"),
                      describe_figure_en(fines, "fines")])
    assert line == "703 administrative penalties; fines of 15.8466 million yuan (1584.66万元)"


@pytest.mark.parametrize("unit,count,expected", [
    ("次", 1, "time"), ("次", 703, "times"), ("人", 2, "people"), ("名", 1, "person"),
    ("家", 3, "units"), ("公里", 650, "km"), ("天", 1, "day"), ("天", 20, "days"),
    ("万项", 14.3, "items"), ("斤", 3, "斤"),
])
def test_english_unit(unit: str, count: float, expected: str) -> None:
    assert english_unit(unit, count) == expected


@pytest.mark.parametrize("fig,expected", [
    (Figure(1584.66, "万元", "罚款"), (15846600.0, "元")),
    (Figure(3.2, "亿元", "投入"), (320000000.0, "元")),
    (Figure(2, "万人", "民兵"), (20000.0, "人")),
    (Figure(5.3, "万家次", "检查"), (53000.0, "家次")),
    (Figure(719, "名", "网格员"), (719.0, "人")),
    (Figure(99.76, "%", "整改率"), (99.76, "%")),
    (Figure(46932, "", "整改"), (46932.0, "")),
])
def test_to_base(fig: Figure, expected: tuple[float, str]) -> None:
    assert to_base(fig) == expected


def test_units_table_is_well_formed() -> None:
    rows = [line.split("\t") for line in
            (ROOT / "retrieval/data/units.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert len(rows) > 40
    for row in rows:
        assert len(row) == 6, row
        info = unit_info(row[0])
        assert info is not None and info.kind in ("classifier", "money", "percent", "measure"), row
    assert unit_info("万元").base == "元" and unit_info("亿元").factor == 100_000_000


# ---------------------------------------------------------------- measures


@pytest.mark.parametrize("text,measure", [
    ("行政处罚703次", "行政处罚次数"),
    ("罚款1584.66万元", "罚款金额"),
    ("全市共检查生产经营单位27315家", "检查单位数"),
    ("全年共排查问题隐患1683条", "排查隐患数"),
    ("督促整改问题隐患397项", "整改隐患数"),
    ("整改率99.76%", "整改率"),
    ("转移群众3028人", "转移群众人数"),
    ("开展防汛、危险化学品生产安全事故等各类应急演练共119次", "演练次数"),
    ("企业从业人员安全技能培训28次、培训745人次", "培训人次"),
    ("全年共接到或转办信访件53件", "信访件数"),
    ("累计下拨135万元自然灾害救灾资金", "救灾资金"),
    ("特种作业人员操作证21470份", "行政许可数"),
])
def test_classify_measure(text: str, measure: str) -> None:
    assert classify_measure(find_figures(text)[-1]) == measure


def test_classify_measure_refuses() -> None:
    assert classify_measure(Figure(99.76, "%", "整改率")) == "整改率"
    assert classify_measure(Figure(1683, "条", "整改率")) is None  # wrong unit
    assert classify_measure(Figure(610, "家次", "计划检查企业")) is None  # a plan, not a result
    assert classify_measure(Figure(6, "艘", "冲锋舟、橡皮艇")) is None
    assert measure_english("罚款金额") == "fines"
    assert measure_english("no such measure") is None
