"""Migration effort per asset by strategy (person-days), and the labour rate that prices it.

| strategy | person-days | why |
| --- | --- | --- |
| rehost | 1.5 | replicate, cut over, smoke-test |
| relocate | 1 | hypervisor-level move (e.g. VMware to a cloud VMware service), no OS change |
| replatform | 4 | rehost plus a managed-service or OS change |
| refactor | 15 | code changes for cloud-native services |
| rewrite | 30 | rebuild the application, then migrate its data |
| repurchase | 5 | data migration to a SaaS product, user cut-over |
| retire | 0.5 | decommission, archive data |
| retain | 0.25 | document the decision |
| undecided | 3 | no strategy yet: a middle estimate, flagged in the plan |
"""

from __future__ import annotations

EFFORT_DAYS: dict[str, float] = {
    "rehost": 1.5,
    "relocate": 1.0,
    "replatform": 4.0,
    "refactor": 15.0,
    "rewrite": 30.0,
    "repurchase": 5.0,
    "retire": 0.5,
    "retain": 0.25,
    "undecided": 3.0,
}
DAY_RATE = 950.0  # blended consultant rate per person-day
DEFAULT_WAVE_LENGTH_DAYS = 14
DEFAULT_WAVE_SIZE = 50
