from django.db.models.signals import post_save
from django.dispatch import receiver

from casemgmt.core.models import Court


@receiver(post_save, sender=Court, dispatch_uid="cases.court_default_event_codes")
def _court_default_event_codes(sender, instance: Court, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        from .services import event_codes_install_defaults

        event_codes_install_defaults(court=instance)
