"""``python -m services.cli``: the ``phare`` command (how phare starts its own child processes)."""

from services.cli import main

if __name__ == "__main__":
    main()
