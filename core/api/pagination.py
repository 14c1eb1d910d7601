from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Every API list is paginated: PAGE_SIZE rows a page by default, and a client may ask for
    up to 200 with ?page_size= (bulk readers need fewer round trips, the server a bound)."""

    page_size_query_param = "page_size"
    max_page_size = 200
