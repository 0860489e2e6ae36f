"""URL configuration of the example site: the admin. Static files come from the static bucket."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
