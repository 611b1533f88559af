from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = "Filings and notices"

    def ready(self) -> None:
        from casemgmt.core.demo import register_seeder
        from casemgmt.core.shell import NavItem, register_nav
        from cases.panels import CasePanel, register_case_panel

        from . import signals  # noqa: F401  (default filing types for new courts)
        from .demo import seed_filing_types, seed_filings
        from .notices import connect_notice_signals, register_notice_nav, register_notice_seeders
        from .views import documents_panel_context, notices_panel_context

        register_seeder("filings.filing_types", seed_filing_types, order=25)
        register_seeder("filings.filings", seed_filings, order=60)
        register_notice_seeders()  # demo courts get the default English and Spanish wording
        connect_notice_signals()  # so does every new court
        register_notice_nav()
        register_nav(
            NavItem(
                "Review queue",
                "filings:queue",
                ("clerk", "courtroom_clerk", "supervisor"),
                order=30,
            )
        )
        register_nav(NavItem("Your filings", "filings:mine", ("attorney",), order=30))
        register_case_panel(
            CasePanel(
                key="documents",
                title="Documents",
                template="filings/panels/documents.html",
                context=documents_panel_context,
                order=20,
            )
        )
        register_case_panel(
            CasePanel(
                key="notices",
                title="Notices",
                template="filings/panels/notices.html",
                context=notices_panel_context,
                order=25,
            )
        )
