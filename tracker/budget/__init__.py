"""Budget checkpoints: cost entries, time-phased baselines and earned value in money."""
