import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import now, as each worker starts, what the first request it serves would otherwise
    import: every URLconf (the API and its schemas), the Redis client (Django's cache imports
    it on first use: ~0.5 s) and the phone metadata. No connection is opened here: with
    gunicorn's ``--preload`` this runs once before the workers are forked."""
    from django.conf import settings
    from django.urls import get_resolver

    from relais.core.identifiers import normalize_phone

    get_resolver().url_patterns  # noqa: B018 - the property imports the URLconf modules
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        import redis  # noqa: F401
    normalize_phone("01 23 45 67 89")


_warm_up()
