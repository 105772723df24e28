"""A pytest plugin for mutmut's test runs (`make mutation`), loaded by [tool.mutmut] pytest_add_cli_args.

Hypothesis under mutation testing: derandomized (a mutant gets the same verdict every run), no
example database (a failing example found for one mutant must not be replayed against the next),
no deadline and no too-slow health check (2 shared cores: a slow example is not a failure), and
fewer examples (the example-based tests do the killing; properties back them up).
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "mutation",
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
