"""Support for the tests and benchmarks, kept out of the product package: synthetic pen strokes and the test server."""
