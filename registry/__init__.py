"""Elections and their rules, contests, parties, people, candidacies and registration."""
