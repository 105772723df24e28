"""The demo election of 25 July 2021, loaded by `manage.py load_demo` step by step: `territory`
(units, stations, commissions, users; names from `territory_data`), `registry` (the election,
parties, candidacies), `results` (protocols entered and certified through the services),
`aggregation` (a full aggregation) and `offices` (winners registered as akims)."""
