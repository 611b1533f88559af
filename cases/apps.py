from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Case files"

    def ready(self) -> None:
        from casemgmt.core.demo import register_seeder
        from casemgmt.core.shell import NavItem, register_nav

        from . import signals  # noqa: F401  (default event codes for new courts)
        from .demo import seed_case_types, seed_cases

        register_seeder("cases.case_types", seed_case_types, order=20)
        register_seeder("cases.cases", seed_cases, order=40)
        register_nav(NavItem("Find a case", "cases:search", order=10))
        register_nav(
            NavItem(
                "Open a case", "cases:intake", ("clerk", "courtroom_clerk", "supervisor"), order=20
            )
        )
