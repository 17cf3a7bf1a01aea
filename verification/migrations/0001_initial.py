"""Takes over the verification models from campaigns (campaigns 0003): state only, the
tables were created by campaigns 0001 and keep their names."""


import functools

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, *, models, old, new):
    """Existing databases: the moved models' content types (and so their permissions and
    admin history) follow them to the new app. A new database has none yet."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label=old, model__in=models
    ).update(app_label=new)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('campaigns', '0003_move_verification_models'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are (db_table kept): only Django's idea of
            # which app owns the models changes.
            database_operations=[],
            state_operations=[
                    migrations.CreateModel(
                        name='PlatformPolicyChange',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('platform', models.CharField(choices=[('facebook', 'Facebook'), ('instagram', 'Instagram'), ('tiktok', 'TikTok'), ('x', 'X (Twitter)'), ('youtube', 'YouTube'), ('linkedin', 'LinkedIn'), ('threads', 'Threads')], max_length=16)),
                            ('old_policy', models.CharField(blank=True, max_length=8)),
                            ('old_sample_percent', models.PositiveSmallIntegerField(blank=True, null=True)),
                            ('new_policy', models.CharField(max_length=8)),
                            ('new_sample_percent', models.PositiveSmallIntegerField()),
                            ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                            ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ],
                        options={
                            'db_table': 'campaigns_platformpolicychange',
                            'ordering': ['-changed_at'],
                        },
                    ),
                    migrations.CreateModel(
                        name='ReviewDecision',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('decision', models.CharField(choices=[('approve', 'Approve'), ('reject', 'Reject')], max_length=8)),
                            ('reason', models.TextField(blank=True)),
                            ('old_status', models.CharField(choices=[('pending', 'Pending'), ('verified', 'Verified'), ('needs_review', 'Needs review'), ('rejected', 'Rejected'), ('removed', 'Removed')], max_length=16)),
                            ('new_status', models.CharField(choices=[('pending', 'Pending'), ('verified', 'Verified'), ('needs_review', 'Needs review'), ('rejected', 'Rejected'), ('removed', 'Removed')], max_length=16)),
                            ('decided_at', models.DateTimeField(default=django.utils.timezone.now)),
                            ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                            ('share', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='review_decisions', to='campaigns.share')),
                        ],
                        options={
                            'db_table': 'campaigns_reviewdecision',
                            'ordering': ['-decided_at'],
                        },
                    ),
                    migrations.CreateModel(
                        name='PlatformPolicy',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('platform', models.CharField(choices=[('facebook', 'Facebook'), ('instagram', 'Instagram'), ('tiktok', 'TikTok'), ('x', 'X (Twitter)'), ('youtube', 'YouTube'), ('linkedin', 'LinkedIn'), ('threads', 'Threads')], max_length=16, unique=True)),
                            ('policy', models.CharField(choices=[('evidence', 'Evidence (the post must be shown to exist and be yours)'), ('sample', 'Sample (structural checks; a random N % go to review)'), ('review', 'Review (every share goes to HR review)')], max_length=8)),
                            ('sample_percent', models.PositiveSmallIntegerField(default=10, help_text='With the sample policy: the share of submissions sent to review.')),
                            ('updated_at', models.DateTimeField(auto_now=True)),
                            ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ],
                        options={
                            'db_table': 'campaigns_platformpolicy',
                            'ordering': ['platform'],
                            'constraints': [models.CheckConstraint(condition=models.Q(('sample_percent__lte', 100)), name='platformpolicy_percent_range')],
                        },
                    ),
                    migrations.CreateModel(
                        name='VerificationAttempt',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                            ('url_fetched', models.CharField(blank=True, max_length=2000)),
                            ('http_status', models.PositiveSmallIntegerField(blank=True, null=True)),
                            ('duration_ms', models.PositiveIntegerField(default=0)),
                            ('outcome', models.CharField(choices=[('verified', 'Verified'), ('needs_review', 'Needs review'), ('rejected', 'Rejected'), ('removed', 'Removed'), ('retry', 'Temporary failure, will retry'), ('error', 'Error')], max_length=16)),
                            ('reason', models.TextField(blank=True)),
                            ('task_id', models.CharField(blank=True, max_length=64)),
                            ('share', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='campaigns.share')),
                        ],
                        options={
                            'db_table': 'campaigns_verificationattempt',
                            'ordering': ['share', 'started_at'],
                            'indexes': [models.Index(fields=['share', 'started_at'], name='attempt_share_time')],
                        },
                    ),
            ],
        ),
        migrations.RunPython(
            functools.partial(move_content_types, models=["verificationattempt", "reviewdecision", "platformpolicy", "platformpolicychange"], old="campaigns", new="verification"),
            functools.partial(move_content_types, models=["verificationattempt", "reviewdecision", "platformpolicy", "platformpolicychange"], old="verification", new="campaigns"),
        ),
    ]
