"""Land read models and writes: parcels by key, bbox and id with their rights and holders, history,
who holds what (ownership), places (commune names), the repository that loads a dataset."""
