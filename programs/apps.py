from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Diversion programs"

    def ready(self) -> None:
        # The program pages in the menu and the case file's Programs panel.
        from .panels import register_program_pages

        register_program_pages()

        # Demo programs and participants, after the demo cases, money and deadlines.
        from .demo import register_program_seeders

        register_program_seeders()
