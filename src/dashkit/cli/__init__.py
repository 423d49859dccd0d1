"""The thin command line: parses arguments, calls the library, prints. Nothing imports it."""
