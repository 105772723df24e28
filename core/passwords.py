"""The password hasher: Argon2id at OWASP's recommended parameters (settings.PASSWORD_HASHERS).

OWASP's Password Storage Cheat Sheet: "Use Argon2id with a minimum configuration of 19 MiB of
memory, an iteration count of 2, and 1 degree of parallelism." Argon2id is its first choice (memory
hard: a GPU or ASIC guesses far slower than against PBKDF2); Django's default, PBKDF2-SHA256 at
1,000,000 iterations, costs 0.85 s of a core per login on a 2-core host against 0.06 s here, which
on election night is the difference between logins queueing for tens of seconds and not at all
(docs/PERFORMANCE.md, "Load test"). Django's own Argon2 hasher defaults to 100 MiB and 8 lanes per
hash: 0.5 s and 100 MiB per concurrent login, about as slow as PBKDF2.

Hashes made with other parameters or with PBKDF2 still verify (the hashers after this one in
PASSWORD_HASHERS) and are rehashed with these parameters at the user's next successful login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP's minimum configuration for Argon2id; lowering any of them weakens every password.
TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (Argon2id, algorithm "argon2") at OWASP's parameters."""

    time_cost = TIME_COST
    memory_cost = MEMORY_COST_KIB
    parallelism = PARALLELISM
