from django.db import migrations, models


def origin_from_flag(apps, schema_editor):
    # Keys made before this change came from the server, unless imported from lpse apendo.
    TenderKey = apps.get_model("bids", "TenderKey")
    TenderKey.objects.filter(generated_offline=True).update(origin="offline")
    TenderKey.objects.filter(generated_offline=False).update(origin="server")


class Migration(migrations.Migration):
    dependencies = [("bids", "0003_upload_bid")]

    operations = [
        migrations.AddField(
            model_name="tenderkey",
            name="origin",
            field=models.CharField(
                choices=[
                    ("browser", "made in a committee member's browser"),
                    ("offline", "made offline with lpse apendo keygen"),
                    ("server", "made on the server (tenders published before December 2026)"),
                ],
                default="server",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="tenderkey",
            name="format",
            field=models.CharField(default="lpse-tender-key-v1", max_length=40),
            preserve_default=False,
        ),
        migrations.RunPython(origin_from_flag, migrations.RunPython.noop),
        migrations.RemoveField(model_name="tenderkey", name="generated_offline"),
        migrations.AddField(
            model_name="keyshare",
            name="commitment",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
