from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "casemgmt.dashboard"
    label = "dashboard"
    verbose_name = "Supervisor dashboards"
