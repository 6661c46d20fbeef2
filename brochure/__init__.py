"""brochure: print-ready IOP handouts from one content.yml."""

__version__ = "0.1.0"
