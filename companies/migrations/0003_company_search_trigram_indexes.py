"""Search of the company lists (name or domain contains the text, any case) served by trigram indexes on
PostgreSQL. Django's `icontains` compiles to `UPPER(col::text) LIKE UPPER(%s)` there, so the indexes are on
that expression. Other databases keep scanning: SQLite serves demos of a few thousand companies."""

from django.db import migrations

INDEXES = {
    "company_name_trgm": 'UPPER("name"::text) gin_trgm_ops',
    "company_domain_trgm": 'UPPER("domain"::text) gin_trgm_ops',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "companies_company" USING gin ({expression})'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("companies", "0002_company_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
