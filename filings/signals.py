"""A new court gets the default filing types and rejection reasons (then edited in admin)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from casemgmt.core.models import Court


@receiver(post_save, sender=Court, dispatch_uid="filings.court_default_filing_types")
def _court_default_filing_types(
    sender, instance: Court, created: bool, raw: bool = False, **kwargs
):
    # Runs after cases' receiver (cases is installed first), which gives the court the
    # event codes the filing types are docketed under.
    if created and not raw:
        from .services import filing_types_install_defaults, rejection_reasons_install_defaults

        filing_types_install_defaults(court=instance)
        rejection_reasons_install_defaults(court=instance)
