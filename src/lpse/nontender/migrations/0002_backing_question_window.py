"""The question window of a non-tender procurement (R-8.6, issue 20): a backing tender published
before it gets the clarification stage the tenders Q&A checks, from its announcement until the
offers close (what ``tenders.services.backing.backing_schedule`` now writes)."""

from django.db import migrations


def add_question_window(apps, schema_editor):
    Procurement = apps.get_model("nontender", "Procurement")
    ScheduleEntry = apps.get_model("tenders", "ScheduleEntry")
    for tender_id in Procurement.objects.exclude(tender=None).values_list("tender_id", flat=True):
        entries = {e.stage: e for e in ScheduleEntry.objects.filter(tender_id=tender_id)}
        announcement = entries.get("announcement")
        if "clarification" in entries or announcement is None:
            continue
        ScheduleEntry.objects.create(
            tender_id=tender_id,
            stage="clarification",
            start=announcement.start,
            end=announcement.end,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("nontender", "0001_initial"),
        ("tenders", "0007_method_non_tender"),
    ]

    operations = [migrations.RunPython(add_question_window, migrations.RunPython.noop)]
