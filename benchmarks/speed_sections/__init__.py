"""The speed benchmark's sections, one module each, with what they share; benchmarks/speed.py runs them."""
