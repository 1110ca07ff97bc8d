"""A report by a bureau the rules were never tuned on, with full-width
punctuation and its own layout, added to the seed index (real model)."""
from __future__ import annotations

import shutil

import pytest

from retrieval.engine import Engine
from retrieval.index.indexer import add_documents

WUZHONG = """首页 > 信息公开 > 法定主动公开内容
苏州市吴中区应急管理局2022年工作总结
发布时间：2023年1月10日 来源：区应急管理局 浏览次数：
　　2022年，区应急管理局在区委、区政府的坚强领导下，坚持人民至上、生命至上，全力防范化解重大安全风险。现将有关情况总结如下：
　　一、主要工作成效
　　（一）安全生产形势总体平稳。全年共发生生产安全事故12起、死亡9人，同比分别下降20%和25%。
　　（二）执法检查力度持续加大。全年检查企业4862家次，查处隐患15327项，立案处罚218起，罚款金额共计936.5万元。
　　（三）应急救援能力不断增强。组建镇（街道）综合应急救援队伍14支，队员560余人；组织各类应急演练326场，参与人数2.3万人次。
　　（四）防灾减灾工作扎实推进。汛期共转移安置群众1850人，新建应急避难场所8个。
　　二、2023年工作打算
　　一是深化安全生产专项整治；二是加强应急指挥信息化建设；三是开展全民安全素质提升行动。
苏州市吴中区应急管理局
2023年1月10日
"""


@pytest.fixture(scope="module")
def engine(seed_index_dir, settings, tmp_path_factory):
    root = tmp_path_factory.mktemp("other") / "index"
    shutil.copytree(seed_index_dir, root)
    report = tmp_path_factory.mktemp("docs") / "wuzhong.txt"
    report.write_text(WUZHONG, encoding="utf-8")
    change = add_documents([report], root, settings)
    assert change.added == ["wuzhong.txt"] and change.reused > 100  # the seeds were not re-encoded
    return Engine.open(root, settings)


def test_metadata_of_an_unseen_layout(engine):
    [doc] = [s for s in engine.sources() if s["source"] == "wuzhong.txt"]
    assert (doc["region"], doc["year"], doc["doc_type"], doc["publish_date"]) == ("吴中区", 2022, "工作总结", "2023-01-10")


@pytest.mark.parametrize("question,figure", [
    ("吴中区2022年发生了多少起生产安全事故?", "12起"),
    ("How much did Wuzhong district fine in 2022?", "936.5万元"),
    ("How many people were evacuated in Wuzhong during the flood season?", "1850人"),
    ("吴中区组织了多少场应急演练", "326场"),
    ("How many emergency shelters did Wuzhong build?", "8个"),
])
def test_figures_of_an_unseen_report(engine, question, figure):
    a = engine.ask(question)
    assert a.answered and figure in a.answer
    assert a.passages[0].source == "wuzhong.txt"


def test_plans_and_refusals_of_an_unseen_report(engine):
    plan = engine.ask("What does Wuzhong plan for 2023?")
    assert plan.answered and "三是开展全民安全素质提升行动" in plan.answer
    assert not engine.ask("苏州市吴中区2021年罚款多少").answered  # no 2021 report
    assert not engine.ask("Which city fined the most in 2023?").answered  # 2023 is only planned
    assert "1584.66" in engine.ask("Which city fined the most?").answer  # Jinhua still tops 936.5万元
