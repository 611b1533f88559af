from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Fees, fines and restitution"

    def ready(self) -> None:
        from cases import registry

        from .services import fee_schedule_assess

        # The fee schedule is data (court, event code, case type -> fee): every recorded
        # docket entry is offered to it, inside the transaction that records the entry.
        registry.subscribe(registry.ANY_EVENT, "payments.fee_schedule", fee_schedule_assess)

        # The clerk's money pages (payments.views) and the case page's Balance panel.
        from casemgmt.core.shell import NavItem, register_nav
        from cases.panels import CasePanel, register_case_panel

        from .panels import balance_panel_context
        from .policies import CASHIERS

        register_nav(NavItem("Counter", "payments:counter", CASHIERS, order=40))
        register_nav(NavItem("Drawers", "payments:drawers", CASHIERS, order=45))
        register_case_panel(
            CasePanel(
                key="balance",
                title="Balance",
                template="payments/panels/balance.html",
                context=balance_panel_context,
                order=40,
            )
        )

        # Payment plans and disbursement runs (pages, nav, case panel) and their demo data.
        from .demo import register_payment_seeders
        from .plan_views import register_plan_pages

        register_plan_pages()
        register_payment_seeders()
