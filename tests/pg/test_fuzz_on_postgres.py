"""The fuzz tests again on PostgreSQL, which refuses text that SQLite stores (NUL characters)."""

from tests.security.test_fuzz import (  # noqa: F401  (collected here, on PostgreSQL)
    small_event,
    test_arbitrary_import_files_are_imported_or_refused_whole,
    test_arbitrary_registration_posts_never_cause_a_server_error,
)
