from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "aftersales.accounts"
    label = "accounts"
    verbose_name = _("Staff and sites")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from .middleware import remember_site_time_zone, start_session_clock
        from .roles import sync_role_groups
        from .security import log_login, log_login_failed, log_logout

        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        user_logged_in.connect(remember_site_time_zone, dispatch_uid="accounts.remember_site_time_zone")
        user_logged_in.connect(start_session_clock, dispatch_uid="accounts.start_session_clock")
        user_logged_in.connect(log_login, dispatch_uid="accounts.log_login")
        user_login_failed.connect(log_login_failed, dispatch_uid="accounts.log_login_failed")
        user_logged_out.connect(log_logout, dispatch_uid="accounts.log_logout")
