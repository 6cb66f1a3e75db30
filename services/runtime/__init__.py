"""What keeps phare's processes running and observed: the embedded Redis server, the worker
processes a command starts and stops, stage statistics, and health (``/readyz``, ``/metrics``)."""
