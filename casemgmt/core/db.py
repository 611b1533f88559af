"""PostgreSQL pieces shared by migrations: append-only tables."""

from django.db import migrations

_FUNCTION = """
CREATE OR REPLACE FUNCTION casemgmt_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Record a correcting entry instead of changing history.';
END;
$$;
"""


def append_only(table: str) -> migrations.RunSQL:
    """A migration operation making `table` append-only: UPDATE and DELETE raise.

    TRUNCATE is left to the database owner (test teardown uses it); production
    grants the application role no TRUNCATE on these tables.
    """
    trigger = f"{table}_append_only"
    return migrations.RunSQL(
        sql=_FUNCTION
        + f"""
        CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION casemgmt_refuse_change();
        """,
        reverse_sql=f"DROP TRIGGER IF EXISTS {trigger} ON {table};",
    )
