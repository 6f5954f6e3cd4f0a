"""`kgtool ingest FILE --explain`: what was read from each provision, and why, on real texts."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from kgtool.cli import cli

try:
    from sources import SOURCES
except ImportError:  # tests/ imported as a package
    from tests.sources import SOURCES

MIANYANG = SOURCES / "mianyang-union-2020.txt"
TONGCHUAN = SOURCES / "tongchuan-town-2022.txt"


def explain(path, tmp_path, mode: str = "text") -> str:
    flag = "--explain" if mode == "text" else f"--explain={mode}"
    result = CliRunner().invoke(cli, ["ingest", str(path), "--out", str(tmp_path / "out.ttl"), flag], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.ttl").exists()
    return result.stdout


@pytest.fixture(scope="module")
def mianyang(tmp_path_factory) -> list[dict]:
    return json.loads(explain(MIANYANG, tmp_path_factory.mktemp("explain"), "json"))


def note(notes: list[dict], provision: str) -> dict:
    return next(n for n in notes if n["id"] == provision)


def test_text_names_holder_reason_levels_duties_and_skipped_sentences(tmp_path):
    out = explain(MIANYANG, tmp_path)
    # 第八条's heading names the 党组 as holder of its items
    assert "holder: 党组  (heading «党组安全生产工作的主要职责»)" in out
    # 第四条: four levels on four offices, and the level sentences are not duties
    assert "level: 党组书记、副主席 → 第一责任人" in out
    assert "level: 分管安全生产工作的副主席 → 第二责任人" in out
    assert "not a duty (states a level): 其他班子成员对分管部门单位的安全工作负领导责任。" in out
    # the 部门单位主要负责人 has no list: its level sentence's further clause is its duty
    assert re.search(r"duty \S+ of 部门单位主要负责人: 负责本部门单位日常安全工作", out)
    # the summary still follows
    assert "wrote " in out


def test_json_gives_each_duty_its_holders_types_evidence_and_frequencies(mianyang):
    item = note(mianyang, "c3.a9.p1.i5")  # 主要负责人 (五): 带队检查、调研…每年不少于2次
    (duty,) = item["duties"]
    assert duty["holders"] == ["主要负责人"]
    assert "inspection" in [t for t, _ in duty["types"]]
    assert duty["frequencies"] == ["带队检查、调研安全生产工作每年不少于2次"]
    assert note(mianyang, "c3.a8.p2")["duties"][0]["frequencies"] == [
        "每年召开会议听取安全生产工作汇报、研究解决安全生产重大问题不少于1次",
        "召开研究、部署安全生产工作专题会议不少于2次",
    ]


def test_every_type_evidence_stands_in_its_duty_in_order(mianyang):
    """The words shown as having decided a type are words of the duty (… joins a pattern's parts)."""
    seen = 0
    for n in mianyang:
        for duty in n["duties"]:
            for kind, evidence in duty["types"]:
                if not evidence:
                    assert kind == "other"
                    continue
                pattern = ".*?".join(map(re.escape, evidence.split("…")))
                assert re.search(pattern, duty["text"]), (duty["id"], kind, evidence)
                seen += 1
    assert seen >= 30


def test_generic_heading_names_nobody(tmp_path):
    """铜川 六、相关要求: a heading of generic words makes nobody (least of all the issuing town
    government) the holder; 六、2 is the village committees' and enterprises' own duty."""
    notes = json.loads(explain(TONGCHUAN, tmp_path, "json"))
    assert not any(n["holders"] for n in notes if n["heading"] == "相关要求")
    (duty,) = note(notes, "s6.i2")["duties"]
    assert duty["holders"] == ["各村委会", "企业单位"]
    assert not any("镇政府" in h or "人民政府" in h for n in notes if n["id"].startswith("s6") for d in n["duties"] for h in d["holders"])


def test_explain_on_a_missing_file_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "nope.txt"), "--explain"])
    assert result.exit_code != 0
    assert "nope.txt" in result.output and "Traceback" not in result.output
