"""INF Watch: an analyst dashboard on the end of the INF Treaty and the Black Sea / Baltic missile balance."""

__version__ = "0.1.0"
