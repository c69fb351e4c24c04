"""The same-run reference page of ``manage.py bench_pages``: the cheapest page the project serves."""
