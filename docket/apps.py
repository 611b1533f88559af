from django.apps import AppConfig


class DocketConfig(AppConfig):
    name = "docket"
    verbose_name = "Calendars and deadlines"

    def ready(self) -> None:
        from casemgmt.core.demo import register_seeder

        from .demo import seed_courtrooms

        register_seeder("docket.courtrooms", seed_courtrooms, order=30)

        # Every new court gets the default continuance reasons (then edited in admin).
        from .services import connect_continuance_reason_signals

        connect_continuance_reason_signals()

        # Attorney portal: "My cases", "My calendar" and the next-hearings home panel.
        from casemgmt.core.roles import Role
        from casemgmt.core.shell import HomePanel, NavItem, register_home_panel, register_nav

        from .portal_views import next_hearings_panel_context

        register_nav(NavItem("My cases", "portal:cases", (Role.ATTORNEY,), order=20))
        register_nav(NavItem("My calendar", "portal:calendar", (Role.ATTORNEY,), order=25))
        register_home_panel(
            HomePanel(
                "attorney_hearings",
                "Your next hearings",
                "docket/portal_panel.html",
                (Role.ATTORNEY,),
                next_hearings_panel_context,
                5,
            )
        )

        # Daily calendars (staff nav; the page is open to the public too) and the case
        # file's Hearings panel.
        from cases.panels import CasePanel, register_case_panel

        from .demo import seed_calendars
        from .panels import hearings_panel_context

        register_nav(
            NavItem(
                "Calendar",
                "calendar:day",
                (
                    Role.CLERK,
                    Role.COURTROOM_CLERK,
                    Role.JUDGE,
                    Role.SUPERVISOR,
                    Role.PROGRAM_COORDINATOR,
                ),
                order=35,
            )
        )
        register_case_panel(
            CasePanel(
                key="hearings",
                title="Hearings",
                template="docket/panel_hearings.html",
                context=hearings_panel_context,
                order=10,
            )
        )
        register_seeder("docket.calendars", seed_calendars, order=70)

        # Deadlines: the default rule set and rules of every new court, the register
        # subscriber that opens and closes them, the case file's Deadlines panel, "My
        # deadlines" and the demo deadlines.
        from cases import registry

        from .deadline_demo import seed_deadlines
        from .deadline_panels import deadlines_panel_context
        from .deadline_services import connect_deadline_rule_signals, deadlines_on_docket_entry

        connect_deadline_rule_signals()
        registry.subscribe(registry.ANY_EVENT, "docket.deadlines", deadlines_on_docket_entry)
        register_case_panel(
            CasePanel(
                key="deadlines",
                title="Deadlines",
                template="docket/deadline_panel.html",
                context=deadlines_panel_context,
                order=15,
            )
        )
        register_nav(
            NavItem(
                "My deadlines",
                "case_deadlines:mine",
                (Role.ATTORNEY, Role.CLERK, Role.COURTROOM_CLERK, Role.SUPERVISOR),
                order=27,
            )
        )
        register_seeder("docket.deadlines", seed_deadlines, order=75)

        # The public deadline calculator (signed-in users find it in the menu; the public
        # home page links to it, since the shell shows no menu to the public).
        from casemgmt.core.shell import ALL_ROLES

        register_nav(NavItem("Deadline calculator", "deadlines:calculator", ALL_ROLES, order=80))

        # The case file's Speedy trial panel (criminal cases only).
        from .speedy_trial_panels import speedy_trial_panel_context

        register_case_panel(
            CasePanel(
                key="speedy_trial",
                title="Speedy trial",
                template="docket/speedy_trial_panel.html",
                context=speedy_trial_panel_context,
                order=16,
            )
        )

        # Demo speedy-trial clocks on the demo courts' criminal cases.
        from .speedy_trial_demo import seed_speedy_trial

        register_seeder("docket.speedy_trial", seed_speedy_trial, order=76)

        from .api.case_fields import register_case_fields

        register_case_fields()
