"""Which source's value stays when two imports disagree and record dates do not decide (ADR-0007).

A discovery tool's export (RVTools, vCenter, Azure Migrate, Google Migration Center, AWS ADS, Nutanix)
reads the machines themselves; a CMDB is maintained by people but reconciled; an intake form, an
application portfolio or a spreadsheet is typed once. The merge query reads the ranks
(`assets_upsert_from_import.sql`, parameter $6); a format not listed (a generic file, no format) ranks
with intake forms.
"""

from __future__ import annotations

from typing import Literal

SourceKind = Literal["discovery", "cmdb", "intake"]

# highest first
KIND_ORDER: tuple[SourceKind, ...] = ("discovery", "cmdb", "intake")

# every inventory format of domain.discovery.source_formats (a test keeps the two in step)
SOURCE_KINDS: dict[str, SourceKind] = {
    "rvtools_vinfo": "discovery", "vsphere_vm_json": "discovery", "azure_migrate": "discovery",
    "azure_migrate_assessment": "discovery", "azure_software_inventory": "discovery", "google_vminfo": "discovery",
    "aws_ads": "discovery", "nutanix_prism_vms": "discovery",
    "servicenow_cmdb_ci": "cmdb",
    "aws_cmf": "intake", "konveyor_applications": "intake", "cast_highlight": "intake",
    "tidal_applications": "intake", "generic": "intake",
}


def source_priorities() -> dict[str, int]:
    """Each format's rank for the merge: higher wins; intake forms (and unlisted formats) rank 0."""
    return {fmt: len(KIND_ORDER) - 1 - KIND_ORDER.index(kind) for fmt, kind in SOURCE_KINDS.items()}
