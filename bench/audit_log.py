"""Benchmark: the supervisors' audit page over a large audit trail.

Target: p95 under 300 ms at 1M events (the page is paginated at 50 and scoped
to the supervisor's courts; see casemgmt.core.selectors.audit_event_list_for).
"""

from __future__ import annotations

import argparse
import time

from _setup import configure, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the casemgmt_bench database")
    args = parser.parse_args()
    cleanup = configure(args.keep)
    try:
        run(args.events, args.runs)
    finally:
        cleanup()


def run(events: int, runs: int) -> None:
    from django.db import connection
    from django.test import Client

    from casemgmt.core.demo import seed_courts_and_users
    from casemgmt.core.models import Court, User

    seed_courts_and_users(log=lambda line: None)
    courts = list(Court.objects.order_by("pk").values_list("pk", flat=True))
    users = list(User.objects.order_by("pk").values_list("pk", "username"))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Set-based fill: events spread over two years, both courts, every user,
        # one in 50 denied, one in 5 court-less (sign-ins).
        cursor.execute(
            """
            INSERT INTO core_auditevent
                (occurred_at, actor_id, actor_username, action, object_type, object_id,
                 object_repr, court_id, case_id, case_number, outcome, ip_address, details)
            SELECT now() - (g * interval '63 seconds'),
                   (%(users)s::bigint[])[1 + g %% %(n_users)s],
                   (%(names)s::text[])[1 + g %% %(n_users)s],
                   (ARRAY['case.open', 'filing.accept', 'payment.post', 'auth.login',
                          'hearing.set'])[1 + g %% 5],
                   'cases.case', (g %% 200000)::text, 'Case ' || (g %% 200000),
                   CASE WHEN g %% 5 = 3 THEN NULL
                        ELSE (%(courts)s::bigint[])[1 + g %% %(n_courts)s] END,
                   g %% 200000, '2026-CR-' || lpad((g %% 200000)::text, 6, '0'),
                   CASE WHEN g %% 50 = 0 THEN 'denied' ELSE 'success' END,
                   '10.0.0.1', '{}'::jsonb
            FROM generate_series(1, %(events)s) AS g
            """,
            {
                "users": [u for u, _ in users],
                "names": [n for _, n in users],
                "n_users": len(users),
                "courts": courts,
                "n_courts": len(courts),
                "events": events,
            },
        )
        cursor.execute("ANALYZE core_auditevent")
    print(f"filled {events:,} audit events in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    # The audit page reads the supervisor's active court from the session.

    def page(query: str = ""):
        response = client.get("/audit/" + query)
        assert response.status_code == 200, response.status_code
        return response

    timed("audit page, newest first (page 1)", page, runs)
    timed("audit page, page 200", lambda: page("?page=200"), runs)
    timed("audit page, denied only", lambda: page("?outcome=denied"), runs)
    timed("audit page, one case number", lambda: page("?case_number=2026-CR-000123"), runs)
    timed(
        "audit page, one user, date range",
        lambda: page("?actor=clerk&date_from=2026-01-01&date_to=2026-03-31"),
        runs,
    )


if __name__ == "__main__":
    main()
