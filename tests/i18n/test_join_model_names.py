"""The join models of many-to-many fields are named in the reader's language (the admin's delete pages
list them: "Связь user-group" was on Kazakh and English pages)."""

import pytest
from django.contrib.auth.models import Group, User
from django.utils import translation

USER_GROUP = {
    "en": "user-group relationship",
    "ru": "Связь пользователь-группа",
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_user_group_join_model_is_named_in_the_language_shown(language):
    with translation.override(language):
        assert str(User.groups.through._meta.verbose_name) == USER_GROUP[language]


def test_the_kazakh_name_has_no_russian_word_and_names_both_models():
    with translation.override("kk"):
        name = str(Group.permissions.through._meta.verbose_name)
        group, permission = str(Group._meta.verbose_name), str(Group.permissions.field.related_model._meta.verbose_name)
    assert group in name and permission in name
    assert "Связь" not in name and "group" not in name


def test_the_plural_follows_too():
    with translation.override("en"):
        assert str(User.user_permissions.through._meta.verbose_name_plural) == "user-permission relationships"


def test_every_join_model_of_the_project_is_lazy():
    from django.apps import apps
    from django.utils.functional import Promise

    joins = [
        field.remote_field.through
        for model in apps.get_models()
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    assert joins
    assert all(isinstance(join._meta.verbose_name, Promise) for join in joins)
