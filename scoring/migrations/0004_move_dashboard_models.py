"""The dashboard models now belong to the dashboard app (its 0001); their tables keep
the names scoring gave them."""


from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0003_dashboard_change_log'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are (db_table kept): only Django's idea of
            # which app owns the models changes.
            database_operations=[],
            state_operations=[
                    migrations.RemoveField(
                        model_name='campaignstafftally',
                        name='campaign',
                    ),
                    migrations.RemoveField(
                        model_name='dashboardsettings',
                        name='updated_by',
                    ),
                    migrations.RemoveField(
                        model_name='sharecountchange',
                        name='campaign',
                    ),
                    migrations.RemoveField(
                        model_name='shareweekstat',
                        name='campaign',
                    ),
                    migrations.DeleteModel(
                        name='CampaignStaffStat',
                    ),
                    migrations.DeleteModel(
                        name='CampaignStaffTally',
                    ),
                    migrations.DeleteModel(
                        name='DashboardSettings',
                    ),
                    migrations.DeleteModel(
                        name='ShareCountChange',
                    ),
                    migrations.DeleteModel(
                        name='ShareWeekStat',
                    ),
            ],
        ),
    ]
