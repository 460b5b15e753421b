"""The vote benchmark (``make bench``): see bench/run.py."""
