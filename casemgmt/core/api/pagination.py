from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200): no list answers unbounded."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
