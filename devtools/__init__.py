"""Development tooling: the demo election (`manage.py load_demo`), the performance benchmark
(`manage.py bench`) and the load test (`manage.py loadtest`).

Installed only when the `DEVTOOLS` setting is on (`make run`, `make test`, `make bench`, `.ci/run`;
README, "Configuration"); production settings leave it out and deploy/'s image does not ship it.
It imports the domain apps and writes through their services (and `results.fixtures` for the
benchmark's bulk election); no domain app imports it.
"""
