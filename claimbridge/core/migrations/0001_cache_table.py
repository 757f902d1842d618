"""The database cache's table (CACHE_URL=db://…, the default).

Rate limits and log-in throttling are kept in the cache, which every web process
must share; a fresh machine gets the table with `migrate`. `createcachetable`
does nothing for a cache that is not a database cache, or a table that exists.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command(
        "createcachetable", database=schema_editor.connection.alias, verbosity=0
    )


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)
    ]
