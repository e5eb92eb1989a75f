# mypy: disable-error-code="untyped-decorator"
# (flask-smorest ships no type hints; its decorators keep the views' signatures.)
"""GET /v1/products: the GI products and their protected regions. Public."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gi_trace.domain.queries import products
from gi_trace.domain.queries.paging import Page

from .access import not_found
from .connection import connection
from .schemas import ProductArgs, ProductPageSchema, ProductSchema

blp = Blueprint("products", __name__, url_prefix="/v1/products",
                description="GI products: protected name, region, unit, GTINs, processes. Public.")


@blp.route("")
class Products(MethodView):
    @blp.arguments(ProductArgs, location="query", as_kwargs=True)
    @blp.response(200, ProductPageSchema)
    def get(self, **args: Any) -> Page[products.Product]:
        """GI products by id; filter by `gtin` or region admin code."""
        return products.list_products(connection(), **args)


@blp.route("/<product>")
class Product(MethodView):
    @blp.response(200, ProductSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, product: str) -> products.Product:
        """One GI product."""
        return products.get_product(connection(), product) or not_found("product", product)
