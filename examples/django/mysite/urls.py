"""URL configuration of the example site: the admin, and static files where no bucket serves them."""

from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.views import serve
from django.urls import path, re_path


def static(request, path):
    # insecure=True: serve even with DEBUG off. Fine for the example and local runs; production
    # (stage "production" in faas.toml) puts collectstatic's output in a public bucket instead.
    return serve(request, path, insecure=True)


urlpatterns = [
    path("admin/", admin.site.urls),
]

if settings.SERVE_STATIC:
    urlpatterns += [re_path(r"^static/(?P<path>.*)$", static)]
