"""The benchmark suite (``make bench``): each workload against a floor measured in the same run."""
