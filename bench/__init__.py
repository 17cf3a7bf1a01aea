"""`make bench`: performance figures as ratios to a floor measured in the same run (see run.sh)."""
