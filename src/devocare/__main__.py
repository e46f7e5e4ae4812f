"""``python -m devocare``: the same command line as ``devocare``."""

from devocare.cli import main

if __name__ == "__main__":
    main()
