"""Input definitions: each submitted thing checked once, errors keyed by field (see ``base``)."""
