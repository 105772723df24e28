"""The performance benchmark (issue 9): a synthetic election built through the bulk paths, and the
measurements `manage.py bench` makes on it (aggregation vs a SQL baseline, entry, API, memory)."""
