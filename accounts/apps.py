from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from accounts.services import roles_sync_after_migrate

        # Groups need the permission rows, which Django itself creates on post_migrate; syncing the roles
        # there too (idempotent) keeps every database, including test databases, with the three roles.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")
