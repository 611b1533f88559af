from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "casemgmt.dashboard"
    label = "dashboard"
    verbose_name = "Supervisor dashboards"

    def ready(self) -> None:
        # The supervisor's dashboard in the navigation (superusers see it too).
        from casemgmt.core.roles import Role
        from casemgmt.core.shell import NavItem, register_nav

        register_nav(NavItem("Dashboard", "dashboard:index", (Role.SUPERVISOR,), order=5))
