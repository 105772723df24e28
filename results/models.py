"""Models of results entry and aggregation."""
