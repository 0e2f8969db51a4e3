"""Column types shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always gives them back aware.

    SQLite keeps no offset; PostgreSQL's ``timestamptz`` does. Both read back as UTC here, so
    the rest of the code never meets a naive datetime from the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class, length: int = 16) -> Enum:
    """A string column holding an enum's values (not names), with no native database type, so
    a new state is a code change rather than an ``ALTER TYPE``."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
