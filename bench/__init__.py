"""The benchmark of issue 11 §2 (`make bench PRESET=city|province`): the orchestrator
(bench.run) starts the processes and reads the figures without Django; the parts that run
inside Django (bench.pages, bench.operations) run in processes of their own (bench.child)."""
