"""Continuance reasons may require a note; interpreter languages of several parties; every
existing court gets the default continuance reasons (new courts get them on creation)."""

from django.db import migrations, models

# Frozen copy of docket.services.DEFAULT_CONTINUANCE_REASONS as of this migration.
DEFAULT_CONTINUANCE_REASONS = [
    ("defense-not-ready", "Defense not ready", False),
    ("prosecution-not-ready", "Prosecution not ready", False),
    ("plaintiff-not-ready", "Plaintiff or petitioner not ready", False),
    ("attorney-conflict", "Attorney scheduling conflict", False),
    ("new-counsel", "New counsel appointed or retained", False),
    ("discovery", "Discovery not complete", False),
    ("witness-unavailable", "Witness unavailable", False),
    ("party-not-served", "Party not served", False),
    ("defendant-not-transported", "Defendant in custody not transported", False),
    ("interpreter-unavailable", "Interpreter unavailable", False),
    ("negotiations", "Plea or settlement negotiations", False),
    ("competency", "Competency evaluation pending", False),
    ("illness", "Illness or emergency of a party or attorney", False),
    ("judge-unavailable", "Judge unavailable", False),
    ("court-calendar", "Court calendar congestion", False),
    ("court-closure", "Court closure", False),
    ("other", "Other (explained in the note)", True),
]


def install_default_reasons(apps, schema_editor):
    Court = apps.get_model("core", "Court")
    ContinuanceReason = apps.get_model("docket", "ContinuanceReason")
    for court in Court.objects.all():
        have = set(ContinuanceReason.objects.filter(court=court).values_list("code", flat=True))
        ContinuanceReason.objects.bulk_create(
            ContinuanceReason(court=court, code=code, label=label, requires_note=note)
            for code, label, note in DEFAULT_CONTINUANCE_REASONS
            if code not in have
        )


class Migration(migrations.Migration):
    dependencies = [
        ("docket", "0002_calendars"),
    ]

    operations = [
        migrations.AddField(
            model_name="continuancereason",
            name="requires_note",
            field=models.BooleanField(
                default=False, help_text="The clerk must explain in a note (e.g. for 'Other')."
            ),
        ),
        migrations.AlterField(
            model_name="hearing",
            name="interpreter_language",
            field=models.CharField(
                blank=True,
                help_text="Derived from the parties who need an interpreter: their preferred languages, comma-separated (e.g. 'es' or 'es,vi').",
                max_length=40,
            ),
        ),
        migrations.RunPython(install_default_reasons, migrations.RunPython.noop),
    ]
