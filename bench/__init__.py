"""Benchmarks with their targets; ``make bench`` runs them all and prints figures beside targets."""
