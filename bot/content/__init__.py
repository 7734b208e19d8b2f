"""Content files (dialogs/ and faq/): loading, validation and cross-checks."""
