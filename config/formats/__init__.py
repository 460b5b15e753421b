"""Date and time formats per language (FORMAT_MODULE_PATH), read before Django's own.

Times carry the zone ("T": JST for Asia/Tokyo) so a reader abroad knows the clock they read.
Templates use the names, never a literal: {{ value|date:"DATETIME_FORMAT" }}.
"""
