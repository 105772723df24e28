"""The administrative hierarchy (KATO), polling stations, commissions and scoped access."""
