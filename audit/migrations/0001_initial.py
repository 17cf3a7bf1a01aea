"""The audit log's tables, and database triggers that keep entries append-only.

The triggers refuse every UPDATE and DELETE of an audit entry, whoever runs
it (the app, a shell, a SQL console). TRUNCATE is not blocked: it is how test
runs on PostgreSQL empty the tables between transactional tests, and it
needs table ownership anyway.

SQLite drops a table's triggers when Django rebuilds the table (many
AlterField/RemoveField operations do): a later migration that alters
audit_auditentry must create these triggers again on SQLite.
tests/audit/test_append_only.py fails if they are missing.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "audit_auditentry"
REFUSED = "audit entries are append-only"

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSED}: % of audit entry #% refused', TG_OP, OLD.seq
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
    """,
    f"""
    CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_entry_no_update ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_entry_no_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
]
SQLITE_CREATE = [
    f"""
    CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE refused'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]


def _run(schema_editor, statements_by_vendor):
    statements = statements_by_vendor.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(
            f"audit: no append-only triggers for {schema_editor.connection.vendor}; "
            "ShareKPI runs on PostgreSQL or SQLite"
        )
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditHead',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('seq', models.PositiveBigIntegerField(default=0)),
                ('hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
            ],
            options={
                'verbose_name': 'audit head',
            },
        ),
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveBigIntegerField(editable=False, unique=True, verbose_name='number')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='when')),
                ('actor_label', models.CharField(blank=True, editable=False, help_text="The actor's staff ID when the entry was written; empty for the system.", max_length=200, verbose_name='who (as recorded)')),
                ('action', models.CharField(db_index=True, editable=False, max_length=100, verbose_name='action')),
                ('object_type', models.CharField(blank=True, editable=False, max_length=100, verbose_name='object type')),
                ('object_id', models.CharField(blank=True, editable=False, max_length=64, verbose_name='object ID')),
                ('before', models.JSONField(blank=True, editable=False, null=True, verbose_name='before')),
                ('after', models.JSONField(blank=True, editable=False, null=True, verbose_name='after')),
                ('prev_hash', models.CharField(editable=False, max_length=64, verbose_name='previous hash')),
                ('hash', models.CharField(editable=False, max_length=64, unique=True, verbose_name='hash')),
                ('actor', models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who')),
            ],
            options={
                'verbose_name': 'audit entry',
                'verbose_name_plural': 'audit entries',
                'ordering': ['-seq'],
                'base_manager_name': 'objects',
                'indexes': [models.Index(fields=['actor', 'seq'], name='audit_entry_actor'), models.Index(fields=['actor_label', 'seq'], name='audit_entry_actor_label'), models.Index(fields=['object_type', 'object_id', 'seq'], name='audit_entry_object'), models.Index(fields=['at'], name='audit_entry_at')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
