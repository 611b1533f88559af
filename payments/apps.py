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
