"""Administrators keep the product catalogue: which products exist and who sells them."""

from collections.abc import Sequence

from django.contrib import admin
from django.http import HttpRequest

from relais.leads.models import ProductCategory


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sold_by", "active"]
    list_filter = ["sold_by", "active"]
    search_fields = ["name", "code"]

    # The code is how imports, the API and the commission rules name a product: set once,
    # from the name, then shown read-only.
    def get_prepopulated_fields(
        self, request: HttpRequest, obj: ProductCategory | None = None
    ) -> dict[str, Sequence[str]]:
        return {} if obj is not None else {"code": ("name",)}

    def get_readonly_fields(
        self, request: HttpRequest, obj: ProductCategory | None = None
    ) -> list[str]:
        return ["code"] if obj is not None else []
