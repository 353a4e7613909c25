"""The path converter of every id in an API URL: a primary key the databases can hold (1 to
2**63 − 1). Anything else does not match the URL, so it reaches the API's JSON 404
(`views.not_found`) before any view could pass it to a query (a ValueError or an OverflowError,
i.e. a 500)."""

from django.urls import register_converter

from jiceng.org.filters import MAX_ID


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        key = int(value)
        if not 1 <= key <= MAX_ID:
            raise ValueError(value)  # Django: no match
        return key

    def to_url(self, value: int) -> str:
        return str(int(value))


# Registered here, on import, so that every module building API paths (api/urls.py and the apps'
# api.py modules it splices in) can use `<id:...>` in whatever order they load.
register_converter(IdConverter, "id")
