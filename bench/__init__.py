"""The benchmark of the report engine: a seeded data generator, two baselines, the runner."""
