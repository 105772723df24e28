"""Precinct protocols, double entry, controls, certification and aggregation."""
