from __future__ import annotations

from django.urls import path

from tests.adapters.apps.django_app import cafe, item

urlpatterns = [path("items/<str:name>/", item, name="item"), path("café/", cafe, name="cafe")]
