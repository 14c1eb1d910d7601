"""`python -m bench` (`make bench`, issue 11 §2): bench.run."""

from .run import main

main()
