"""The results pages (Django templates, not the admin): clerk entry, supervision, TEC progress."""
