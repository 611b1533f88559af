from django.apps import AppConfig


class DocketConfig(AppConfig):
    name = "docket"
    verbose_name = "Calendars and deadlines"

    def ready(self) -> None:
        from casemgmt.core.demo import register_seeder

        from .demo import seed_courtrooms

        register_seeder("docket.courtrooms", seed_courtrooms, order=30)
