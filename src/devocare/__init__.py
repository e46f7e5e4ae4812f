"""devocare: England's health and care system as executable structure.

Layers, each a subpackage: ``data`` (embedded official data) → ``geography`` → ``architecture``
→ ``allocation`` → ``simulation`` → ``outcomes`` → interfaces (``cli``, ``web``, ``reports``).
"""

__version__ = "0.1.0"
