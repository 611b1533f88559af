from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Diversion programs"

    def ready(self) -> None:
        # Demo programs and participants, after the demo cases, money and deadlines.
        from .demo import register_program_seeders

        register_program_seeders()
