"""Input definitions: each thing a person or a file submits, parsed and checked once."""
