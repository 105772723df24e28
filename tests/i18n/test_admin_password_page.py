"""The admin's password page of a user speaks the page's language, its help included (Django built
that help once, at import, in the start-up language, and joined an English sentence to it)."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

HELP = {
    "en": (
        "Whether the user will be able to authenticate using a password or not.",
        "If disabled, the current password for this user will be lost.",
    ),
    # "аутентифироваться" (sic): Django's own ru catalogue.
    "ru": ("Может ли пользователь аутентифироваться по паролю.", "текущий пароль этого пользователя будет утерян."),
    "kk": ("құпиясөз", "Өшірілсе, бұл пайдаланушының қазіргі құпиясөзі жоғалады."),
}
RUSSIAN_ONLY = ("Может ли", "пользователь", "утерян")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_password_pages_help_is_in_the_pages_language(client, in_language, language):
    users = get_user_model().objects
    admin = users.create_superuser("root", "root@example.org", "x")
    member = users.create_user("member", password="secret-1")
    client = in_language(language)
    client.force_login(admin)
    page = client.get(f"/admin/auth/user/{member.pk}/password/").content.decode()
    for sentence in HELP[language]:
        assert sentence in page
    if language != "ru":
        assert not any(word in page for word in RUSSIAN_ONLY)
