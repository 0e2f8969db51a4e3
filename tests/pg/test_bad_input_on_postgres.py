"""Bad input on PostgreSQL, which cannot store NUL characters SQLite takes."""

from tests.security.test_bad_input import (  # noqa: F401  (collected here, on PostgreSQL)
    event,
    test_field_over_its_length_limit_is_refused_with_a_field_error,
    test_import_file_with_a_nul_character_is_refused_at_its_place,
    test_nul_character_in_a_form_field_is_400_and_stores_nothing,
    test_nul_character_in_the_address_is_400,
)
