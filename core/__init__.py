"""Cross-cutting pieces every domain app uses: domain errors, the clock, the audit trail."""
