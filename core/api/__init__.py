"""Shared machinery of the auditors' read-only REST API: tokens, authentication, pagination, formats."""
