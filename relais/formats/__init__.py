"""Date and number formats of our own, per language (``FORMAT_MODULE_PATH``); a language without
a module here keeps Django's."""
