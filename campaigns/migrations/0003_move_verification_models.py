"""The verification models now belong to the verification app (its 0001); their tables
keep the names campaigns gave them."""


from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0002_share_platform_post'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are (db_table kept): only Django's idea of
            # which app owns the models changes.
            database_operations=[],
            state_operations=[
                    migrations.RemoveField(
                        model_name='platformpolicychange',
                        name='changed_by',
                    ),
                    migrations.RemoveField(
                        model_name='reviewdecision',
                        name='reviewer',
                    ),
                    migrations.RemoveField(
                        model_name='reviewdecision',
                        name='share',
                    ),
                    migrations.RemoveField(
                        model_name='verificationattempt',
                        name='share',
                    ),
                    migrations.DeleteModel(
                        name='PlatformPolicy',
                    ),
                    migrations.DeleteModel(
                        name='PlatformPolicyChange',
                    ),
                    migrations.DeleteModel(
                        name='ReviewDecision',
                    ),
                    migrations.DeleteModel(
                        name='VerificationAttempt',
                    ),
            ],
        ),
    ]
