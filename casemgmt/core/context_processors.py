from django.conf import settings

from .selectors import court_active_for, court_list_for_request
from .shell import nav_for


def shell(request):
    """What base.html needs: navigation for the user's role and the active court."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "active_court": None, "user_courts": []}
    return {
        "nav_items": nav_for(user),
        "active_court": court_active_for(request),
        "user_courts": court_list_for_request(request),
        "session_idle_minutes": int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60),
    }
