"""Strategy spellings found in inputs (intake forms, CMDB fields, other tools' 6R/7R names) mapped onto
the canonical list `vocabulary.SIX_R_STRATEGIES`.

Lookups ignore case, punctuation and spacing (`value_aliases.alias_key`): `Re-Architect`,
`re architect` and `rearchitect` are one spelling. Every canonical value is its own alias.

| canonical  | also written as                                                                   |
|------------|-----------------------------------------------------------------------------------|
| rehost     | lift and shift, lift & shift, re-host, rehosting, migrate as is, IaaS              |
| replatform | re-platform, lift tinker and shift, lift and reshape, lift and optimise, PaaS       |
| refactor   | rearchitect, re-architect, re-factor, refactoring, modernise, modernize             |
| repurchase | replace, drop and shop, drop & shop, re-purchase, buy, SaaS, replace with SaaS     |
| retire     | decommission, decom, sunset, eliminate, retirement                                  |
| retain     | keep, revisit, remain, stay, keep on premises, do nothing                           |
| relocate   | move, re-locate, relocation, hypervisor-level lift and shift, VMware Cloud         |
| rewrite    | rebuild, re-build, re-write, redevelop, rewrite from scratch                        |

"Refactor" follows AWS (re-architect for cloud-native services). Azure's "rebuild" is our rewrite.

`canonical_strategy` returns None for words that say "not decided yet" (`TBC`, `TBD`, `unknown`,
`to be confirmed`, `pending`, and every placeholder of `value_aliases`, such as `N/A` or `-`), and
raises ValueError naming the canonical list for text that is no strategy at all: a typo must be
fixed at the source, not silently dropped.
"""

from __future__ import annotations

from domain.value_aliases import alias_key, alias_table, canonical_value, is_placeholder
from domain.vocabulary import SIX_R_STRATEGIES

STRATEGY_ALIASES: dict[str, str] = alias_table(
    SIX_R_STRATEGIES,
    {
        "rehost": ("lift and shift", "lift shift", "lift n shift", "re host", "rehosting", "migrate as is", "iaas"),
        "replatform": ("re platform", "replatforming", "lift tinker and shift", "lift and reshape",
                       "lift and optimise", "lift and optimize", "paas"),
        "refactor": ("rearchitect", "re architect", "rearchitecting", "re factor", "refactoring", "modernise",
                     "modernize"),
        "repurchase": ("replace", "drop and shop", "drop shop", "re purchase", "repurchasing", "buy", "saas",
                       "replace with saas"),
        "retire": ("decommission", "decom", "sunset", "eliminate", "retirement", "retiring"),
        "retain": ("keep", "revisit", "remain", "stay", "keep on premises", "keep on prem", "do nothing"),
        "relocate": ("move", "re locate", "relocation", "hypervisor level lift and shift", "vmware cloud"),
        "rewrite": ("rebuild", "re build", "re write", "redevelop", "rewrite from scratch"),
    },
)

UNDECIDED_KEYS: frozenset[str] = frozenset(
    alias_key(text)
    for text in ("TBC", "TBD", "to be confirmed", "to be decided", "undecided", "pending", "not decided", "unknown")
)


def canonical_strategy(text: str) -> str | None:
    """The canonical strategy `text` spells; None when it says "not decided"; ValueError when it is no strategy."""
    if is_placeholder(text) or alias_key(text) in UNDECIDED_KEYS:
        return None
    strategy = canonical_value(STRATEGY_ALIASES, text)
    if strategy is None:
        raise ValueError(f"{text!r} is not a migration strategy; use one of {', '.join(SIX_R_STRATEGIES)} or TBC")
    return strategy
