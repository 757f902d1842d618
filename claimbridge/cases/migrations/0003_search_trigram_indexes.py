"""Trigram indexes for the case search, on PostgreSQL only.

The case list searches debtor name, client reference and invoice number with
`icontains`, which Django writes as `UPPER(column) LIKE UPPER('%term%')` on
PostgreSQL. A B-tree cannot serve a pattern with a leading wildcard; a GIN
index of the trigrams of `UPPER(column)` can, so a search reads the matching
rows instead of every claim line. Creating the pg_trgm extension needs the
CREATE privilege on the database (the owner or a superuser).

On SQLite nothing is created: the search there runs inside the organisation's
rows, which the list indexes of 0002 narrow first.
"""

from django.db import migrations

TRIGRAM_INDEXES = (
    ("case_debtor_name_trgm", "cases_case", "debtor_name"),
    ("case_client_ref_trgm", "cases_case", "client_reference"),
    ("claimline_reference_trgm", "cases_claimline", "reference"),
)


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_list_indexes"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
