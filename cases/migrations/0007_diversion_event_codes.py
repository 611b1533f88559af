from django.db import migrations

NEW_CODES = {
    "DVRF": "Referred to a diversion program",
    "DVEN": "Enrolled in a diversion program",
    "DVPH": "Diversion phase changed",
    "DVCP": "Diversion program completed",
    "DVTM": "Diversion program terminated",
}


def install(apps, schema_editor):
    Court = apps.get_model("core", "Court")
    EventCode = apps.get_model("cases", "EventCode")
    for court in Court.objects.all():
        have = set(EventCode.objects.filter(court=court).values_list("code", flat=True))
        EventCode.objects.bulk_create(
            EventCode(court=court, code=code, description=text)
            for code, text in NEW_CODES.items()
            if code not in have
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_hearing_event_codes")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
