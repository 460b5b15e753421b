"""Path converters for API routes."""

# What the converter accepts is always within PostgreSQL's bigint, so no id can make a query fail.
MAX_ID = 10**18 - 1


class IdConverter:
    """An object id of up to 18 digits."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
