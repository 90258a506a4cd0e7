"""On PostgreSQL, a full-text index over the items' two-character grams (search of published items).

Other databases search without it (see publication/search.py).
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS edition_item_search ON publication_editionitem "
    "USING gin (to_tsvector('simple', search_grams))"
)
DROP = "DROP INDEX IF EXISTS edition_item_search"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("publication", "0001_editions")]

    operations = [migrations.RunPython(create_index, drop_index)]
