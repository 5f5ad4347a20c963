"""A procurement goes to one procurement officer or a team of them (R-8.6, issue 20): the single
``officer`` becomes the team ``officers``, each existing procurement's officer its only member."""

from django.conf import settings
from django.db import migrations, models


def officer_to_team(apps, schema_editor):
    Procurement = apps.get_model("nontender", "Procurement")
    for procurement in Procurement.objects.only("pk", "officer_id"):
        procurement.officers.add(procurement.officer_id)


def team_to_officer(apps, schema_editor):
    # Back to one officer: the first of the team by username (a team cannot be undone wholly).
    Procurement = apps.get_model("nontender", "Procurement")
    for procurement in Procurement.objects.all():
        first = procurement.officers.order_by("username").first()
        Procurement.objects.filter(pk=procurement.pk).update(officer=first)


class Migration(migrations.Migration):
    dependencies = [
        ("nontender", "0002_backing_question_window"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="procurement",
            name="officers",
            field=models.ManyToManyField(
                related_name="nontender_procurements",
                to=settings.AUTH_USER_MODEL,
                verbose_name="procurement officers",
            ),
        ),
        migrations.AlterField(
            model_name="procurement",
            name="officer",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="procurement officer",
            ),
        ),
        migrations.RunPython(officer_to_team, team_to_officer),
        migrations.RemoveField(model_name="procurement", name="officer"),
    ]
