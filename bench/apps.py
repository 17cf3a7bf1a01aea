from django.apps import AppConfig


class BenchConfig(AppConfig):
    """`make bench` only (bench.settings adds it): the data generator's command. The
    product's settings never install it."""

    name = "bench"
    verbose_name = "Benchmarks"
