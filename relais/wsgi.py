import os
from collections.abc import Callable
from pathlib import Path

from django.core.wsgi import get_wsgi_application
from django.urls import URLResolver

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
    _warm_templates()


def _warm_templates() -> None:
    """Compile every page template (and Django's form widgets), load every language's catalogue
    and build the URL reverse tables (one per language): a worker's first page otherwise paid
    100–150 ms for them, kept for the process's life after (Django's cached template loaders)."""
    import django.forms
    from django.conf import settings
    from django.forms.renderers import get_default_renderer
    from django.template import engines
    from django.template.backends.django import DjangoTemplates
    from django.urls import get_resolver
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Leads")  # any message: the first loads the catalogue
            _reverse_tables(get_resolver())
    pages = engines["django"]
    assert isinstance(pages, DjangoTemplates)
    _compile(pages.get_template, [Path(d) for d in pages.engine.dirs])  # not the admin's hundred
    widgets = Path(django.forms.__file__).parent / "templates"
    _compile(get_default_renderer().get_template, [widgets], "django/forms/")


def _compile(get_template: Callable[[str], object], dirs: list[Path], under: str = "") -> None:
    for root in dirs:
        for path in sorted(root.glob(f"{under}**/*.html")):
            get_template(path.relative_to(root).as_posix())


def _reverse_tables(resolver: URLResolver) -> None:
    resolver.reverse_dict  # noqa: B018 - the property builds the current language's table
    for _prefix, namespace in resolver.namespace_dict.values():
        _reverse_tables(namespace)


_warm_up()
