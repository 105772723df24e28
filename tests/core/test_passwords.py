"""The password hasher (core/passwords.py): Argon2id at no less than OWASP's recommended
parameters; hashes made before (Django's PBKDF2, Argon2 with other parameters) still verify and
are rehashed with Argon2id at the next login."""

import pytest
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    get_hasher,
    identify_hasher,
    make_password,
)

from core import passwords

# OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, 1 degree of parallelism.
OWASP_MEMORY_KIB, OWASP_TIME_COST = 19 * 1024, 2


def test_new_passwords_are_hashed_with_argon2id_at_owasp_parameters():
    encoded = make_password("correct horse battery staple")

    assert get_hasher().algorithm == "argon2"
    assert encoded.startswith(f"argon2$argon2id$v=19$m={OWASP_MEMORY_KIB},t={OWASP_TIME_COST},p=1$")
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("correct horse battery stapler", encoded)


def test_the_parameters_are_not_below_owasp_minimum():
    assert passwords.MEMORY_COST_KIB >= OWASP_MEMORY_KIB
    assert passwords.TIME_COST >= OWASP_TIME_COST
    assert passwords.PARALLELISM >= 1


def test_a_pbkdf2_hash_of_djangos_default_cost_still_verifies_and_is_upgraded_at_login():
    old = PBKDF2PasswordHasher().encode("s3cret pass", PBKDF2PasswordHasher().salt())
    assert old.startswith("pbkdf2_sha256$1000000$")
    upgraded = []

    assert check_password("s3cret pass", old, setter=lambda raw: upgraded.append(make_password(raw)))

    assert len(upgraded) == 1 and identify_hasher(upgraded[0]).algorithm == "argon2"
    assert check_password("s3cret pass", upgraded[0])


@pytest.mark.parametrize("stronger", [False, True])
def test_an_argon2_hash_with_other_parameters_verifies_and_is_brought_to_these(stronger):
    hasher = Argon2PasswordHasher()  # Django's own parameters (100 MiB, 8 lanes) are stronger in memory
    if not stronger:
        hasher.memory_cost, hasher.time_cost = 8 * 1024, 1
    old = hasher.encode("s3cret pass", hasher.salt())
    upgraded = []

    assert check_password("s3cret pass", old, setter=lambda raw: upgraded.append(make_password(raw)))

    assert len(upgraded) == 1
    assert f"m={OWASP_MEMORY_KIB},t={OWASP_TIME_COST},p=1$" in upgraded[0]
    assert not passwords.Argon2idPasswordHasher().must_update(upgraded[0])
