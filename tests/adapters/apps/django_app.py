"""A Django project configured in-process: URLs, reverse() and a management command."""

from __future__ import annotations

from typing import Any

import django
from django.conf import settings

MODULE = "tests.adapters.apps.django_app"


def configure() -> None:
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="test-only",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF="tests.adapters.apps.django_urls",
            MIDDLEWARE=[],
            INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "tests.adapters.apps.djangocmd"],
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            USE_TZ=True,
            LOGGING_CONFIG=None,
        )
        django.setup()


def item(request: Any, name: str) -> Any:
    from django.http import JsonResponse
    from django.urls import reverse

    return JsonResponse(
        {
            "name": name,
            "path": request.path,
            "path_info": request.path_info,
            "reverse": reverse("item", args=["rex"]),
            "absolute": request.build_absolute_uri(reverse("item", args=["rex"])),
        }
    )


def cafe(request: Any) -> Any:
    from django.http import JsonResponse
    from django.urls import reverse

    return JsonResponse({"path": request.path, "reverse": reverse("cafe")})


def application() -> Any:
    configure()
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
