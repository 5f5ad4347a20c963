"""OCDS 1.1 publication (R-9.5, issue 18)."""
