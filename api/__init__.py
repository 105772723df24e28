"""The auditors' read-only REST API: tokens, authentication, pagination, formats, and each domain's
resources (`api.resources`). It imports the domain apps; no domain app imports it."""
