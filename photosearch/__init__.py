"""photosearch: a local, private photo organizer (CLIP search, tagging, duplicates)."""

__version__ = "0.1.0"
