"""Django's user admin with its password page in the reader's language.

Django builds the help of the "password-based authentication" choice on the admin's password page
once, at import (a lazy translation joined to an English sentence that no catalogue translates), so
it kept the start-up language (Russian) on Kazakh and English pages. The form below makes it again,
lazily, with the sentence as a msgid of the project.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.utils.functional import lazy
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _


def _usable_password_help():
    warning = format_html_join(
        "",
        '<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        [(_("If disabled, the current password for this user will be lost."),)],
    )
    return f"{SetUnusablePasswordMixin.usable_password_help_text}{warning}"


class PasswordChangeForm(AdminPasswordChangeForm):
    usable_password_help_text = lazy(_usable_password_help, str)()


class ElectUserAdmin(UserAdmin):
    change_password_form = PasswordChangeForm


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, ElectUserAdmin)
