"""``python -m policykg``: the same as the ``policykg`` command."""
import sys

from .cli import main

sys.exit(main())
