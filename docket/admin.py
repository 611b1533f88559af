from django.contrib import admin

from .models import Courtroom


@admin.register(Courtroom)
class CourtroomAdmin(admin.ModelAdmin):
    list_display = ["name", "court", "location", "is_active"]
    list_filter = ["court", "is_active"]
    search_fields = ["name", "location"]
