"""Every existing court gets the default rule set ("frcp": FRCP 6(a), Fed. R. Crim. P.
45(a)) and the default deadline rules. New courts get them from a post_save signal
(docket.deadline_services.connect_deadline_rule_signals). A frozen copy: later changes to
the defaults in code do not rewrite history here."""

from django.db import migrations

RULE_SET = {
    "code": "frcp",
    "name": "Federal rules: FRCP 6(a), Fed. R. Crim. P. 45(a)",
    "count_court_days_only": False,
    "roll_weekends": True,
    "roll_federal_holidays": True,
    "state_holidays": "forward",
    "roll_court_closures": True,
    "mail_extra_days": 3,
    "mail_extra_methods": ["mail", "clerk", "consent"],
    "roll_citation": "FRCP 6(a)(1)(C)",
    "mail_citation": "FRCP 6(d)",
    "is_default": True,
}

# (event code, case category, name, days, direction, trigger, responsible, statutory,
#  citation, hearing types, meets event codes)
RULES = [
    ("SRVC", "civil", "Answer due", 21, "after", "entry_date", "defendant", False,
     "FRCP 12(a)(1)(A)(i)", [], ["ANSW"]),
    ("MOTN", "", "Response to motion due", 14, "after", "entry_date", "opposing_party", False,
     "Local rule (typical: 14 days after the motion is filed)", [], ["RESP"]),
    ("HRGS", "", "Pretrial motions due", 14, "before", "hearing_start", "parties", False,
     "Local rule (typical: 14 days before trial); Fed. R. Crim. P. 12(c)", ["trial"], []),
    ("JDGM", "civil", "Notice of appeal due", 30, "after", "entry_date", "parties", True,
     "FRAP 4(a)(1)(A); 28 U.S.C. 2107(a)", [], []),
    ("JDGM", "criminal", "Notice of appeal due (defendant)", 14, "after", "entry_date",
     "defendant", False, "FRAP 4(b)(1)(A)", [], []),
    ("JDGM", "traffic", "Notice of appeal due (defendant)", 14, "after", "entry_date",
     "defendant", False, "FRAP 4(b)(1)(A)", [], []),
]  # fmt: skip


def install(apps, schema_editor):
    Court = apps.get_model("core", "Court")
    RuleSet = apps.get_model("docket", "DeadlineRuleSet")
    Rule = apps.get_model("docket", "DeadlineRule")
    for court in Court.objects.all():
        values = dict(RULE_SET)
        if RuleSet.objects.filter(court=court, is_default=True).exists():
            values["is_default"] = False
        RuleSet.objects.get_or_create(court=court, code=values.pop("code"), defaults=values)
        have = set(
            Rule.objects.filter(court=court).values_list("event_code", "name", "case_category")
        )
        Rule.objects.bulk_create(
            Rule(
                court=court,
                event_code=code,
                case_category=category,
                name=name,
                period_days=days,
                direction=direction,
                trigger=trigger,
                responsible_role=responsible,
                is_statutory=statutory,
                citation=citation,
                hearing_types=hearing_types,
                meets_event_codes=meets,
            )
            for (code, category, name, days, direction, trigger, responsible, statutory,
                 citation, hearing_types, meets) in RULES
            if (code, name, category) not in have
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("docket", "0006_deadline_rule_matching")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
