"""learning pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
