from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casemgmt.core"
    label = "core"
    verbose_name = "Court administration"

    def ready(self) -> None:
        from . import panels, signals  # noqa: F401  (signals: audit receivers)

        panels.register()

        from .demo import register_seeder, seed_courts_and_users

        register_seeder("core.courts_and_users", seed_courts_and_users, order=10)
