"""The registry's model permissions for the commission groups.

RegistryConfig.ready() adds them to territory.roles.GROUP_PERMISSIONS (the one table of group rights), so
`territory.roles.sync_groups()` grants them; `sync_registry_groups()` grants just these (the demo calls it).
"""

from territory import roles

_MODELS_CEC = ("election", "contest", "party", "person", "candidacy", "termofoffice")
# The office register's records: viewed in the admin; written through the term's pages (services).
_OFFICE_RECORDS = ("maslikhatreport", "dismissalinitiative", "noconfidencevote", "contestfollowup")

REGISTRY_GROUP_PERMISSIONS = {
    roles.CEC: [
        *[f"registry.{a}_{m}" for m in _MODELS_CEC for a in ("view", "add", "change")],
        *[f"registry.view_{m}" for m in _OFFICE_RECORDS],
    ],
    roles.TEC: [
        *[f"registry.{a}_{m}" for m in ("person", "candidacy", "termofoffice") for a in ("view", "add", "change")],
        "registry.view_election",
        "registry.view_contest",
        "registry.add_contest",
        "registry.change_contest",
        "registry.view_party",
        *[f"registry.view_{m}" for m in _OFFICE_RECORDS],
    ],
    roles.AUDITORS: ["registry.view_election", "registry.view_contest", "registry.view_party"],
}


def sync_registry_groups():
    """Give the groups their registry permissions (adds only; idempotent)."""
    return roles.sync_groups(REGISTRY_GROUP_PERMISSIONS)
