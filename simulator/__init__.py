"""A local Akita: the fake Akita that enforces Akita's rules, keeps its data and explains itself."""

from __future__ import annotations

__version__ = "0.1.0"
