"""Counts, lists and names as people write them (domain.wording)."""

from __future__ import annotations

import uuid

from domain.wording import UUID_TEXT, counted, group_label, group_name, listed, named


def test_counts_agree_with_their_noun() -> None:
    assert [counted(n, "wave") for n in (0, 1, 2, 1234)] == ["0 waves", "1 wave", "2 waves", "1,234 waves"]
    assert counted(1, "dependency") == "1 dependency" and counted(3, "dependency") == "3 dependencies"
    assert counted(2, "person-day") == "2 person-days" and counted(1.5, "person-day") == "1.5 person-days"
    assert counted(2, "move group") == "2 move groups" and counted(2, "day") == "2 days"


def test_lists_say_how_many_more() -> None:
    assert listed([]) == "" and listed(["a"]) == "a" and listed(["a", "b"]) == "a and b"
    assert listed(["a", "b", "c"]) == "a, b and c"
    assert listed(["a", "b"], 5) == "a, b and 3 more" and listed([], 4) == "4 more"


def test_a_move_group_is_named_by_its_applications_else_its_assets() -> None:
    assert group_name(["Billing"], 1, ["bil-01", "bil-02"], 7) == "Billing"
    assert group_name(["Billing", "CRM"], 4, ["bil-01"], 9) == "Billing, CRM and 2 more"
    assert group_name([], 0, ["ad01"], 1) == "ad01" and group_name(["Directory"], 1, ["ad01"], 1) == "ad01"
    assert group_name([], 0, ["jump01", "jump02"], 3) == "jump01, jump02 and 1 more"
    assert group_label("MG-0001", "Billing", ["non_production", "test"]) == "MG-0001 Billing (non-production, test)"
    assert group_label("MG-0002", "", []) == "MG-0002"


def test_asset_ids_in_a_text_become_names() -> None:
    known, unknown = uuid.uuid4(), uuid.uuid4()
    text = f"{known} is tied to {str(unknown).upper()}, which stays"
    assert named(text, {str(known): "web-01"}) == f"web-01 is tied to {str(unknown).upper()}, which stays"
    assert UUID_TEXT.findall(named(text, {str(known): "web-01", str(unknown): "db-01"})) == []
