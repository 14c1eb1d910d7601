from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.pagination import list_page, page_number


class PageNumberPagination(pagination.PageNumberPagination):
    """Every API list is paginated: PAGE_SIZE rows a page by default, and a client may ask for
    up to 200 with ?page_size= (bulk readers need fewer round trips, the server a bound)."""

    page_size_query_param = "page_size"
    max_page_size = 200


class ListPagePagination(PageNumberPagination):
    """For lists that grow to a million rows (issue 11 §3): the page comes from
    core.pagination.list_page, so neither the count nor the order grows with the data. `count`
    is exact when `count_exact` is true, PostgreSQL's estimate otherwise. A view calls
    `paginate_list` with its order (an index) and, for a ranked search, its tiers."""

    def paginate_list(self, queryset, request, *, order, tiers=()) -> list:
        """The page asked for; an API client asking past the last page gets 404, as from
        DRF's own pagination (a page of the site shows the last page instead)."""
        self.request = request
        asked = request.query_params.get(self.page_query_param, 1)
        number = page_number(asked, default=0)
        if not number:
            raise NotFound(self.invalid_page_message.format(page_number=asked, message=""))
        self.page = list_page(
            queryset, order=order, number=number, per_page=self.get_page_size(request), tiers=tiers
        )
        if self.page.number != number:
            raise NotFound(self.invalid_page_message.format(page_number=asked, message=""))
        return list(self.page)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.count,
                "count_exact": self.page.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": _("Whether count is exact; if not, it is an estimate."),
        }
        response["required"] = [*response.get("required", []), "count_exact"]
        return response
