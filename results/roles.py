"""The results app's model permissions for the commission groups.

ResultsConfig.ready() adds them to territory.roles.GROUP_PERMISSIONS (the one table of group
rights), so `manage.py sync_roles` and the demo grant them like every other app's.
"""

from territory import roles

_VIEW = [f"results.view_{m}" for m in ("protocol", "protocolentry", "protocolvote")]
_RESULT_TABLES = [f"results.view_{m}" for m in ("contestresult", "candidateresult", "turnoutrollup")]

RESULTS_GROUP_PERMISSIONS = {
    roles.CEC: [*_VIEW, *_RESULT_TABLES],
    roles.TEC: [*_VIEW, *_RESULT_TABLES],
}
