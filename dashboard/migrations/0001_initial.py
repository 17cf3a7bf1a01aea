"""Takes over the dashboard models from scoring (scoring 0004): state only, the tables
were created by scoring 0002 and 0003 and keep their names."""


import functools

import django.db.models.deletion
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
        ('scoring', '0004_move_dashboard_models'),
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
                        name='ShareCountChange',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('person_id', models.BigIntegerField()),
                            ('kpi_year', models.PositiveSmallIntegerField()),
                            ('week_start', models.DateField()),
                            ('platform', models.CharField(max_length=16)),
                            ('pending', models.SmallIntegerField(default=0)),
                            ('verified', models.SmallIntegerField(default=0)),
                            ('needs_review', models.SmallIntegerField(default=0)),
                            ('rejected', models.SmallIntegerField(default=0)),
                            ('removed', models.SmallIntegerField(default=0)),
                            ('shared_staff', models.SmallIntegerField(default=0)),
                            ('verified_staff', models.SmallIntegerField(default=0)),
                            ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ],
                        options={
                            'db_table': 'scoring_sharecountchange',
                        },
                    ),
                    migrations.CreateModel(
                        name='CampaignStaffStat',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('scope', models.BigIntegerField(help_text='OrgUnit id (its whole subtree); 0 = everyone.')),
                            ('shared_staff', models.IntegerField(default=0)),
                            ('verified_staff', models.IntegerField(default=0)),
                            ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ],
                        options={
                            'db_table': 'scoring_campaignstaffstat',
                            'ordering': ['scope', 'campaign'],
                            'constraints': [models.UniqueConstraint(fields=('scope', 'campaign'), name='campaignstaffstat_key')],
                        },
                    ),
                    migrations.CreateModel(
                        name='CampaignStaffTally',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('person_id', models.BigIntegerField()),
                            ('shares', models.IntegerField(default=0)),
                            ('verified', models.IntegerField(default=0)),
                            ('campaign', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ],
                        options={
                            'db_table': 'scoring_campaignstafftally',
                            'constraints': [models.UniqueConstraint(fields=('campaign', 'person_id'), name='campaignstafftally_key')],
                        },
                    ),
                    migrations.CreateModel(
                        name='DashboardSettings',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('leaderboard_enabled', models.BooleanField(default=False)),
                            ('updated_at', models.DateTimeField(blank=True, null=True)),
                            ('stats_refreshed_at', models.DateTimeField(blank=True, null=True)),
                            ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ],
                        options={
                            'verbose_name': 'dashboard settings',
                            'verbose_name_plural': 'dashboard settings',
                            'db_table': 'scoring_dashboardsettings',
                            'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='dashboardsettings_singleton')],
                        },
                    ),
                    migrations.CreateModel(
                        name='ShareWeekStat',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('scope', models.BigIntegerField(help_text='OrgUnit id (its whole subtree); 0 = everyone.')),
                            ('kpi_year', models.PositiveSmallIntegerField()),
                            ('week_start', models.DateField(help_text="Monday of the week (organisation's time zone).")),
                            ('platform', models.CharField(max_length=16)),
                            ('pending', models.IntegerField(default=0)),
                            ('verified', models.IntegerField(default=0)),
                            ('needs_review', models.IntegerField(default=0)),
                            ('rejected', models.IntegerField(default=0)),
                            ('removed', models.IntegerField(default=0)),
                            ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ],
                        options={
                            'db_table': 'scoring_shareweekstat',
                            'ordering': ['scope', 'kpi_year', 'week_start', 'campaign', 'platform'],
                            'constraints': [models.UniqueConstraint(fields=('scope', 'kpi_year', 'week_start', 'campaign', 'platform'), name='shareweekstat_key')],
                        },
                    ),
            ],
        ),
        migrations.RunPython(
            functools.partial(move_content_types, models=["shareweekstat", "campaignstaffstat", "sharecountchange", "campaignstafftally", "dashboardsettings"], old="scoring", new="dashboard"),
            functools.partial(move_content_types, models=["shareweekstat", "campaignstaffstat", "sharecountchange", "campaignstafftally", "dashboardsettings"], old="dashboard", new="scoring"),
        ),
    ]
