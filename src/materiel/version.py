"""The version of materiel (a leaf: the API and the pages name it without loading the
package's public face)."""

__version__ = "0.1.0"
