"""Demo content for `flask demo-data`: events and partners (events.json) and registrations."""
